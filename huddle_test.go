package huddle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/flows"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/review"
)

// quiet is a logger that discards.
var quiet = slog.New(slog.DiscardHandler)

// TestPrivacyNoticeByDefault: an App given no notice shows the built-in
// one before anything else; only NoConsent turns it off.
func TestPrivacyNoticeByDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts huddle.Options
		want string
	}{
		{"by default", huddle.Options{}, "🔒"},
		{"a program's own notice", huddle.Options{Consent: &bot.ConsentNotice{Version: 2, Text: map[string]string{"en": "🔒 Our ward's notice."}}}, "Our ward's notice."},
		{"turned off explicitly", huddle.Options{NoConsent: true}, "Lessons:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sim.New(nil)
			opts := tc.opts
			opts.Database, opts.Channels, opts.Logger = filepath.Join(t.TempDir(), "h.db"), []bot.Channel{s}, quiet
			run(t, opts)
			if got := botSays(t, s, "dm-amina", "/lessons", 1); len(got) == 0 || !strings.Contains(got[0], tc.want) {
				t.Errorf("the bot's first message is %q, want it to say %q", got, tc.want)
			}
		})
	}
}

// TestOwnStepKind: a step kind a program gives in Options is read from
// its lessons folder and runs in a chat; one whose name is taken is
// refused by New.
func TestOwnStepKind(t *testing.T) {
	tip := flows.StepKind{Name: "tip", Parse: func(p *flows.StepParser, n *flows.Node) flows.StepBody {
		return tipStep{p.Text(n, "tip")}
	}}
	s := sim.New(nil)
	run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Lessons: "testdata/lessons", StepKinds: []flows.StepKind{tip},
		Channels: []bot.Channel{s}, NoConsent: true, Logger: quiet})
	got := botSays(t, s, "dm-amina", "/lesson tips", 3)
	if want := "📘 Tips for the night shift|💡 Check the drip rate at every round.|That is all."; strings.Join(got, "|") != want {
		t.Errorf("the lesson said %q, want %q", got, want)
	}
	// LoadLessons, given the kind, reads the folder as New does, over the
	// built-in lessons; without it, the lesson that uses it is refused.
	if lib, err := huddle.LoadLessons("testdata/lessons", quiet, tip); err != nil || lib.Len() != 5 {
		t.Errorf("LoadLessons with the kind: %v lessons, %v; want tips and the 4 built-in ones", lib.Len(), err)
	}
	if lib, err := huddle.LoadLessons("testdata/lessons", quiet); err != nil || lib.Len() != 4 {
		t.Errorf("LoadLessons without the kind: %v lessons, %v; want the built-in ones alone", lib.Len(), err)
	}
	// So does validation: the lesson is valid with the kind, and its
	// step refused at its line without it.
	var out bytes.Buffer
	if err := huddle.ValidateLessons(&out, []string{"testdata/lessons"}, tip); err != nil || !strings.Contains(out.String(), "ok  testdata/lessons/tips.yaml  tips") {
		t.Errorf("ValidateLessons with the kind: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := huddle.ValidateLessons(&out, []string{"testdata/lessons/tips.yaml"}); !errors.Is(err, huddle.ErrLessonProblems) ||
		!strings.Contains(out.String(), `tips.yaml:`) || !strings.Contains(out.String(), `unknown key "tip"`) {
		t.Errorf("ValidateLessons without the kind: %v\n%s", err, out.String())
	}
	_, err := huddle.New(context.Background(), huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{sim.New(nil)},
		StepKinds: []flows.StepKind{{Name: "say", Parse: tip.Parse}}, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), `"say": the name is taken`) {
		t.Errorf("a kind named say: %v", err)
	}
}

type tipStep struct{ text flows.Text }

func (s tipStep) Enter(r *flows.StepRun) flows.StepOutcome {
	r.Post("tip", "💡 "+r.Text(s.text))
	return flows.StepOutcome{}
}

// TestNewRefuses: settings that cannot work are refused with a clear
// error, before anything runs.
func TestNewRefuses(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name string
		opts huddle.Options
		want string
	}{
		{"no channel", huddle.Options{}, "no channel"},
		{"two channels of one name", huddle.Options{Channels: []bot.Channel{sim.New(nil), sim.New(nil)}}, `two channels are named "sim"`},
		{"staff given twice", huddle.Options{Channels: []bot.Channel{sim.New(nil)}, Cases: &cases.Config{Staff: []bot.StaffRef{{Channel: "sim", ID: "lead"}}}}, "given once"},
		{"a clock given twice", huddle.Options{Channels: []bot.Channel{sim.New(nil)}, Review: review.Config{Clock: bot.SystemClock{}}}, "not in Options.Review"},
		{"a busy port", huddle.Options{Channels: []bot.Channel{sim.New(nil)}, Listen: busy.Addr().String()}, "listen on " + busy.Addr().String()},
		{"a lessons folder not there", huddle.Options{Channels: []bot.Channel{sim.New(nil)}, Lessons: "no/such/folder"}, "the lessons folder no/such/folder does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Database, opts.Logger = filepath.Join(t.TempDir(), "h.db"), quiet
			app, err := huddle.New(context.Background(), opts)
			if err == nil {
				app.Close()
				t.Fatalf("New succeeded, want an error saying %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestBrokenLessonRefusedAtStart checks that a broken lesson in the lessons
// folder is not loaded, every problem is logged, and the valid ones run.
func TestBrokenLessonRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile("lessons/hand-hygiene.yaml")
	bad, _ := os.ReadFile("flows/testdata/invalid/every-kind.yaml")
	os.WriteFile(filepath.Join(dir, "hand-hygiene.yaml"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "every-kind.yaml"), bad, 0o644)
	var out bytes.Buffer
	lib, err := huddle.LoadLessons(dir, slog.New(slog.NewTextHandler(&out, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := lib.Get("hand-hygiene"); lib.Len() != 4 || !ok || !strings.HasPrefix(l.File, dir) {
		t.Errorf("loaded %d lessons, want the valid one of the folder over the 3 other built-in ones", lib.Len())
	}
	if _, ok := lib.Get("every-kind"); ok {
		t.Error("the broken lesson was loaded")
	}
	for _, line := range []string{":2: bad id", ":3: unknown language", ":6: unknown key", ":12: correct 3 is out of range",
		":13: duplicate step id", ":15: wait: bad duration", ":17: bad expression", ":19: goto", "some lessons were not loaded"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("log lacks %q:\n%s", line, out.String())
		}
	}
}

// botSays posts text in a private chat of the simulator, once it runs, and
// returns the first n messages of the bot's that follow (fewer after 5s).
func botSays(t *testing.T, s *sim.Sim, chat, text string, n int) []string {
	t.Helper()
	ctx := context.Background()
	var postErr error
	testkit.Eventually(t, 5*time.Second, "the simulator to take a message", func() bool {
		_, postErr = s.Post(ctx, sim.Post{Chat: chat, ChatType: bot.Direct, Sender: "amina", Name: "Amina", Text: text})
		return postErr == nil
	}, func() string { return postErr.Error() })
	var got []string
	for after, deadline := int64(0), time.Now().Add(5*time.Second); len(got) < n && time.Now().Before(deadline); {
		for _, m := range s.Messages(ctx, chat, after, time.Second) {
			after = m.Seq
			if m.Bot && len(got) < n {
				got = append(got, m.Text)
			}
		}
	}
	return got
}

// run runs an App until the test ends.
func run(t *testing.T, opts huddle.Options) *huddle.App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	app, err := huddle.New(ctx, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		app.Close()
	})
	return app
}

// TestHealthProbes: /healthz and /readyz answer an orchestrator without
// the token every page needs, /readyz once the App runs and its database
// answers, and only with a status.
func TestHealthProbes(t *testing.T) {
	app := run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{sim.New(nil)},
		Listen: "127.0.0.1:0", Token: "a-token-of-sixteen-chars", NoConsent: true, Logger: quiet})
	get := func(path string) (int, map[string]string) {
		t.Helper()
		resp, err := http.Get(app.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	var code int
	var body map[string]string
	testkit.Until(5*time.Second, func() bool {
		if code, body = get("/readyz"); code == http.StatusOK {
			return true
		}
		return false
	})
	if code != http.StatusOK || body["status"] != "ready" || len(body) != 1 {
		t.Errorf("/readyz: %d %v", code, body)
	}
	if code, body := get("/healthz"); code != http.StatusOK || body["status"] != "ok" {
		t.Errorf("/healthz: %d %v", code, body)
	}
	if code, _ := get("/dashboard/"); code != http.StatusUnauthorized {
		t.Errorf("the dashboard without the token: %d, want 401", code)
	}
}

// TestOwnMessages: a program replaces a sentence and adds a language
// (Hausa) through Options.Messages, as go-i18n files in a folder per
// part; a member who picks Hausa is answered in it, with English where
// the program gave no Hausa; a folder that names no part is refused.
func TestOwnMessages(t *testing.T) {
	own := fstest.MapFS{
		"router/en.json":  {Data: []byte(`{"unknown": "Sorry, %s is not a command here."}`)},
		"router/ha.json":  {Data: []byte(`{"unknown": "Ban san %s ba."}`)},
		"privacy/ha.json": {Data: []byte(`{"language_name": "Hausa", "lang_set": "Yanzu zan rubuta muku da %s."}`)},
	}
	s := sim.New(nil)
	run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{s}, NoConsent: true,
		Logger: quiet, Messages: own})
	say := func(text string) string {
		t.Helper()
		ctx := context.Background()
		var sent sim.Message
		var err error
		testkit.Eventually(t, 5*time.Second, "the simulator to take "+text, func() bool {
			sent, err = s.Post(ctx, sim.Post{Chat: "dm-amina", ChatType: bot.Direct, Sender: "amina", Name: "Amina", Text: text})
			return err == nil
		})
		var reply string
		testkit.Eventually(t, 5*time.Second, "an answer to "+text, func() bool {
			for _, m := range s.Messages(ctx, "dm-amina", sent.Seq, 0) {
				if m.Bot {
					reply = m.Text
					return true
				}
			}
			return false
		})
		return reply
	}
	for _, step := range []struct{ send, want, not string }{
		{"/nosuch", "Sorry, /nosuch is not a command here.", "I don't know"},
		{"/lang ha", "Yanzu zan rubuta muku da Hausa.", ""},
		{"/nosuch", "Ban san /nosuch ba.", "Sorry"},
		{"/lang", "ha (Hausa)", ""},                  // listed among the languages
		{"/lessons", "hand-hygiene", "lessons_none"}, // English stands in for what Hausa lacks
	} {
		got := say(step.send)
		if !strings.Contains(got, step.want) || step.not != "" && strings.Contains(got, step.not) {
			t.Errorf("%s: the bot says %q; want %q", step.send, got, step.want)
		}
	}

	_, err := huddle.New(context.Background(), huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Logger: quiet, Channels: []bot.Channel{sim.New(nil)},
		Messages: fstest.MapFS{"rooter/en.json": {Data: []byte(`{"unknown": "x %s"}`)}}})
	if err == nil || !strings.Contains(err.Error(), "rooter names no part of Huddle") {
		t.Errorf("a misspelt folder: %v", err)
	}
}
