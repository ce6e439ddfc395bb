// Package certificate makes CPD certificates: a verification code, the
// PDF a member receives (made with go-pdf/fpdf, with a QR code of the
// verification address made with rsc.io/qr), and the public page
// that verifies a code by showing only what its certificate states.
package certificate

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/huddlebot/huddle/bot"
	"rsc.io/qr"
)

// alphabet is the codes' characters: no 0 and O, no 1 and I, so that a
// code read aloud or typed from paper is not mistaken.
const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// codeLen is a code's length without its dashes: 60 random bits.
const codeLen = 12

// NewCode returns a new random verification code, such as
// "7KQ4-MZ2P-XR9C".
func NewCode() (string, error) {
	var b strings.Builder
	max := big.NewInt(int64(len(alphabet)))
	for i := range codeLen {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("certificate code: %w", err)
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String(), nil
}

// Normalize tidies a code as typed ("7kq4 mz2p xr9c") into its printed
// form; ok is false when it cannot be a code.
func Normalize(code string) (string, bool) {
	var raw []byte
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ':
		case r < 128 && strings.IndexByte(alphabet, byte(r)) >= 0:
			raw = append(raw, byte(r))
		default:
			return "", false
		}
	}
	if len(raw) != codeLen {
		return "", false
	}
	return string(raw[0:4]) + "-" + string(raw[4:8]) + "-" + string(raw[8:12]), true
}

// Hours shows CPD hours: "3", "1.5".
func Hours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// Page says how certificates are printed: the program's name, the
// address codes are verified at (the HTTP server's public address), and
// the time zone of the date.
type Page struct {
	Program   string
	VerifyURL string
	Location  *time.Location
}

// loc is the time zone of dates.
func (p Page) loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// URL is the verification address of code.
func (p Page) URL(code string) string { return VerifyLink(p.VerifyURL, code) }

// VerifyLink is the verification address of code on the web server at
// base: base/verify/CODE, whether base ends in a slash, in /verify or in
// neither (https://huddle.example.org/verify gives
// https://huddle.example.org/verify/CODE, not /verify/verify/CODE).
func VerifyLink(base, code string) string {
	base = strings.TrimSuffix(strings.TrimRight(base, "/"), "/verify")
	return strings.TrimRight(base, "/") + "/verify/" + code
}

// PDF makes certificate c's PDF: an A4 landscape page with the member's
// name, what it is for, the CPD hours, the date, the code and a QR code
// of the verification address. Text outside Windows-1252 (the PDF core
// fonts' range) is shown as "?".
func (p Page) PDF(c bot.Certificate) ([]byte, error) {
	loc := p.loc()
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCreationDate(c.Issued)
	pdf.SetModificationDate(c.Issued)
	pdf.SetTitle("Certificate "+c.Code, true)
	pdf.SetAuthor(p.Program, true)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	w, h := pdf.GetPageSize()
	pdf.SetDrawColor(30, 90, 130)
	pdf.SetLineWidth(1.5)
	pdf.Rect(10, 10, w-20, h-20, "D")
	line := func(y float64, style string, size float64, text string) {
		pdf.SetFont("Helvetica", style, size)
		for size > 8 && pdf.GetStringWidth(tr(text)) > w-40 {
			size--
			pdf.SetFont("Helvetica", style, size)
		}
		pdf.SetXY(20, y)
		pdf.CellFormat(w-40, size*0.6, tr(text), "", 0, "C", false, 0, "")
	}
	line(28, "", 14, p.Program)
	line(45, "B", 30, "Certificate of completion")
	line(68, "", 14, "This certifies that")
	line(82, "B", 26, c.Name)
	line(102, "", 14, "has completed")
	line(115, "B", 20, c.Title)
	if c.Hours > 0 {
		line(132, "", 14, fmt.Sprintf("earning %s hours of continuing professional development", Hours(c.Hours)))
	}
	line(144, "", 12, "Issued on "+c.Issued.In(loc).Format("2 January 2006"))
	code, err := qr.Encode(p.URL(c.Code), qr.M)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: QR code: %w", c.Code, err)
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader("qr", opt, bytes.NewReader(code.PNG()))
	pdf.ImageOptions("qr", w-62, h-64, 40, 40, false, opt, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	pdf.SetXY(20, h-45)
	pdf.CellFormat(w-90, 6, tr("Verification code: "+c.Code), "", 2, "L", false, 0, "")
	pdf.CellFormat(w-90, 6, tr("Verify at "+p.URL(c.Code)), "", 2, "L", false, 0, "")
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Code, err)
	}
	return out.Bytes(), nil
}

// FileName is the name the PDF is sent under.
func FileName(c bot.Certificate) string { return "certificate-" + c.Code + ".pdf" }
