package certificate

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/huddlebot/huddle/bot"
)

// Lookup finds the certificate with a code; bot.ErrNotFound when none
// has it.
type Lookup func(ctx context.Context, code string) (bot.Certificate, error)

// NameMatcher reports whether name is the name printed on certificate
// code, whose holder was forgotten (the store keeps only its keyed hash).
type NameMatcher func(ctx context.Context, code, name string) (bool, error)

var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify a certificate · {{.Program}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1b2b38}
.card{border:2px solid #1e5a82;border-radius:.5rem;padding:1rem 1.5rem}
.bad{border-color:#a33}
dt{font-weight:600;margin-top:.6rem}dd{margin:0}
input{font:inherit;padding:.3rem;width:14rem}button{font:inherit;padding:.3rem .8rem}
</style></head><body>
<p>{{.Program}}</p>
<h1>Verify a certificate</h1>
{{if .Found}}
<div class="card" id="result">
<p><strong>✅ This certificate is valid.</strong> It states:</p>
<dl>
{{if .Cert.Forgotten}}<dt>Awarded to</dt><dd id="name"><em>The name is not shown: its holder had their data erased.</em>
Type the name printed on the certificate below to check it.</dd>
{{else}}<dt>Awarded to</dt><dd id="name">{{.Cert.Name}}</dd>{{end}}
<dt>For completing</dt><dd id="title">{{.Cert.Title}}</dd>
{{if .Hours}}<dt>CPD hours</dt><dd id="hours">{{.Hours}}</dd>{{end}}
<dt>Issued on</dt><dd id="issued">{{.Issued}}</dd>
<dt>Verification code</dt><dd id="code">{{.Cert.Code}}</dd>
</dl>
{{if .Cert.Forgotten}}
{{if .Checked}}{{if .Matches}}<p id="match"><strong>✅ The name you typed is the name on this certificate.</strong></p>
{{else}}<p id="match"><strong>❌ The name you typed is not the name on this certificate.</strong> Check its spelling as printed.</p>{{end}}{{end}}
<form method="post" action="/verify/{{.Cert.Code}}"><p><label>Name as printed <input name="name" autocomplete="off" maxlength="200"></label>
<button>Check the name</button></p></form>
{{end}}</div>
{{else if .Bad}}
<div class="card bad" id="result"><p><strong>❌ {{.Code}} is not a certificate code.</strong>
A code is twelve letters and digits, such as 7KQ4-MZ2P-XR9C.</p></div>
{{else if .Code}}
<div class="card bad" id="result"><p><strong>❌ No certificate has the code {{.Code}}.</strong>
Check the code as printed on the certificate.</p></div>
{{end}}
<form method="get" action="/verify"><p><label>Code <input name="code" value="{{.Code}}" placeholder="7KQ4-MZ2P-XR9C" autocomplete="off"></label>
<button>Verify</button></p></form>
</body></html>
`))

// Handler serves the public verification page: GET /verify/{code}, and
// GET /verify?code= for the form. It shows only what the certificate
// states: the name, what it is for, the CPD hours, the date and the code.
// A certificate whose holder was forgotten shows no name; POST
// /verify/{code} with the name printed on it (a form, so the name stays
// out of addresses and access logs) says whether it matches.
func (p Page) Handler(lookup Lookup, matches NameMatcher, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request, typed string) {
		data := struct {
			Program, Code, Hours, Issued string
			Found, Bad, Checked, Matches bool
			Cert                         bot.Certificate
		}{Program: p.Program, Code: typed}
		status := http.StatusOK
		if typed != "" {
			code, ok := Normalize(typed)
			var err error
			if ok {
				data.Code = code
				data.Cert, err = lookup(r.Context(), code)
			}
			if err == nil && ok && data.Cert.Forgotten && r.Method == http.MethodPost {
				name := strings.TrimSpace(r.PostFormValue("name"))
				if name != "" {
					data.Checked = true
					data.Matches, err = matches(r.Context(), code, name)
				}
			}
			switch {
			case ok && err == nil:
				data.Found = true
				data.Hours = Hours(data.Cert.Hours)
				if data.Cert.Hours == 0 {
					data.Hours = ""
				}
				data.Issued = data.Cert.Issued.In(p.loc()).Format("2 January 2006")
			case !ok:
				data.Bad, data.Code = true, bot.Clip(typed, 40)
				status = http.StatusNotFound
			case errors.Is(err, bot.ErrNotFound):
				status = http.StatusNotFound
			default:
				log.Error("verify a certificate", "err", err)
				http.Error(w, "the certificates cannot be read now; try again later", http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
		w.WriteHeader(status)
		if err := verifyPage.Execute(w, data); err != nil {
			log.Error("verify page", "err", err)
		}
	}
	mux.HandleFunc("GET /verify/{code}", func(w http.ResponseWriter, r *http.Request) { serve(w, r, r.PathValue("code")) })
	form := func(w http.ResponseWriter, r *http.Request) { serve(w, r, r.URL.Query().Get("code")) }
	mux.HandleFunc("GET /verify", form)
	mux.HandleFunc("GET /verify/{$}", form)
	check := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		serve(w, r, r.PathValue("code"))
	})
	// Only this site's own form posts a name (net/http's cross-origin
	// protection, by Sec-Fetch-Site and Origin).
	mux.Handle("POST /verify/{code}", http.NewCrossOriginProtection().Handler(check))
	return mux
}
