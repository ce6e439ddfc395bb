package huddle_test

import (
	"bytes"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
	"github.com/huddlebot/huddle/sound"
	"github.com/huddlebot/huddle/transcode"
)

// TestOwnLessonsOverBuiltins: a lessons folder with a programme's own
// lessons adds them to the built-in ones rather than dropping those: one
// with a built-in's id replaces it, and the programme's course may list a
// built-in lesson; the built-in course stays. The log says how many came
// from where, and validation reads the folder as huddle runs it.
func TestOwnLessonsOverBuiltins(t *testing.T) {
	logs := &huddletest.LogBuffer{}
	lib, err := huddle.LoadLessons("testdata/own-lessons", logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lib.All() {
		ids = append(ids, l.ID)
	}
	slices.Sort(ids)
	if want := []string{"hand-hygiene", "malaria-rdt", "pph-first-hour", "pulse-check", "shift-handover"}; !slices.Equal(ids, want) {
		t.Errorf("lessons %v, want %v", ids, want)
	}
	if l, _ := lib.Get("hand-hygiene"); l == nil || !strings.Contains(l.File, "testdata/own-lessons") {
		t.Errorf("hand-hygiene comes from %v; want the folder's version, which replaces the built-in one", l)
	}
	var courses []string
	for _, c := range lib.Courses() {
		courses = append(courses, c.ID)
	}
	slices.Sort(courses)
	if !slices.Equal(courses, []string{"safe-care-basics", "ward-basics"}) {
		t.Errorf("courses %v, want the built-in one and the ward's", courses)
	}
	if out := logs.String(); !strings.Contains(out, "lessons loaded") || !strings.Contains(out, "built_in=3") || !strings.Contains(out, "from_folder=2") {
		t.Errorf("the log does not say where the lessons came from:\n%s", out)
	}
	var report bytes.Buffer
	if err := huddle.ValidateLessons(&report, []string{"testdata/own-lessons"}); err != nil {
		t.Errorf("the folder is refused: %v\n%s", err, report.String())
	}
	if out := report.String(); !strings.Contains(out, "ward-basics (course: 2 lessons, 1 CPD hour)") || !strings.Contains(out, "shift-handover (1 step, group)") || strings.Contains(out, "malaria-rdt") {
		t.Errorf("validation says:\n%s\nwant the folder's lessons and course, not the built-in ones", out)
	}
}

// TestDashboardSaysWhereLessonsCameFrom: the lesson preview's page lists
// the lessons running and where each was loaded from; NoBuiltinLessons
// leaves the built-in ones out.
func TestDashboardSaysWhereLessonsCameFrom(t *testing.T) {
	for _, tc := range []struct {
		name      string
		noBuiltin bool
		want      []string
		not       []string
	}{
		{"over the built-in lessons", false, []string{"<td>shift-handover</td><td>Shift handover</td><td>testdata/own-lessons/handover.yaml</td>", "<td>malaria-rdt</td>", "<td>built in</td>"}, nil},
		{"the folder's alone", true, []string{"<td>shift-handover</td>"}, []string{"malaria-rdt", "built in"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const token = "a-token-of-sixteen-chars"
			app := run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{sim.New(nil)},
				Lessons: "testdata/own-lessons", NoBuiltinLessons: tc.noBuiltin,
				Listen: "127.0.0.1:0", Token: token, NoConsent: true, Logger: quiet})
			req, _ := http.NewRequest("GET", app.URL()+"/dashboard/preview/", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			page, _ := io.ReadAll(resp.Body)
			for _, w := range tc.want {
				if !strings.Contains(string(page), w) {
					t.Errorf("the page lacks %s", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(string(page), n) {
					t.Errorf("the page has %s", n)
				}
			}
		})
	}
}

// TestExportedLessonsValidate: the built-in lessons exported as files pass
// validation as they are, and run as a lessons folder of their own.
func TestExportedLessonsValidate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lessons")
	files, err := huddle.ExportLessons(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Errorf("exported %d files: %v", len(files), files)
	}
	var report bytes.Buffer
	if err := huddle.ValidateLessons(&report, []string{dir}); err != nil {
		t.Errorf("the export does not validate: %v\n%s", err, report.String())
	}
	if out := report.String(); !strings.Contains(out, "hand-hygiene") || !strings.Contains(out, "safe-care-basics (course") {
		t.Errorf("validation of the export:\n%s", out)
	}
	if _, err := huddle.ExportLessons(dir); err == nil {
		t.Error("an export into a folder in use was not refused")
	}
}

// TestCertificateAsTheLessonEnds: a lesson's certificate is issued in the
// transaction that ends the lesson, not at the courses' next look (here an
// hour away): the member has it as soon as they pass.
func TestCertificateAsTheLessonEnds(t *testing.T) {
	s := sim.New(nil)
	run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{s}, Lessons: "course/testdata/lessons",
		NoBuiltinLessons: true, NoConsent: true, Logger: quiet,
		Tuning: huddle.Tuning{SenderPoll: 20 * time.Millisecond, SchedulerPoll: 10 * time.Millisecond, ReviewEvery: time.Hour}})
	c := simtest.Chats{T: t, Sim: s}
	seq := c.Post("dm-amina", "amina", "/lesson hand-rub-check")
	q := c.Wait("dm-amina", seq, "How long should an alcohol hand rub take?")
	c.Press("dm-amina", "amina", q, 0)
	c.Wait("dm-amina", q.Seq, "🎓 You passed Hand rub check.")
}

// TestCertificateWithoutAPrivateChat: a member who passes in the group
// but has never written to the bot privately (so the bot may not write to
// them) is told in the group how to get the certificate, and gets it
// when they send /certificates privately.
func TestCertificateWithoutAPrivateChat(t *testing.T) {
	s := sim.New(nil)
	run(t, huddle.Options{Database: filepath.Join(t.TempDir(), "h.db"), Channels: []bot.Channel{s}, Lessons: "testdata/group-certificate",
		NoBuiltinLessons: true, NoConsent: true, Logger: quiet,
		Tuning: huddle.Tuning{SenderPoll: 20 * time.Millisecond, SchedulerPoll: 10 * time.Millisecond, ReviewEvery: time.Hour}})
	c := simtest.Chats{T: t, Sim: s}
	seq := c.Post("ward", "amina", "/lesson ward-quiz")
	q := c.Wait("ward", seq, "How long should an alcohol hand rub take?")
	c.Press("ward", "amina", q, 0)
	c.Wait("ward", q.Seq, "Amina, your certificate for Ward quiz is ready. Write to me privately and send /certificates to receive it.")
	dm := c.Post("dm-amina", "amina", "/certificates")
	c.Wait("dm-amina", dm, "Ward quiz: 1 CPD hour")
}

// TestLessonsConvertedWithFFmpeg: where ffmpeg is installed (CI installs
// it), a lessons folder's Ogg Vorbis sound loads as an Ogg Opus voice
// note, and its video with a poster taken from its frames; without
// ffmpeg the same sound is refused with what to give instead (flows'
// TestOggMustBeOpus).
func TestLessonsConvertedWithFFmpeg(t *testing.T) {
	ff, ok := transcode.Find()
	if !ok {
		if os.Getenv("CI") != "" {
			t.Fatal("no ffmpeg on the PATH: .ci/run installs it")
		}
		t.Skip("no ffmpeg on the PATH")
	}
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"talk.ogg": {"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "libvorbis", "-f", "ogg"},
		"demo.mp4": {"-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2", "-c:v", "mpeg4", "-f", "mp4"},
	} {
		cmd := exec.Command(ff.Path, append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), filepath.Join(dir, name))...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v: %s", name, err, out)
		}
	}
	lesson := "id: media\ntitle: Media\nsteps:\n  - say: Listen.\n    audio: talk.ogg\n  - say: Watch.\n    video: demo.mp4\n"
	if err := os.WriteFile(filepath.Join(dir, "media.yaml"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := huddle.ValidateLessons(&out, []string{dir}); err != nil {
		t.Fatalf("validate: %v\n%s", err, out.String())
	}
	lib, err := huddle.LoadLessons(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	l, ok := lib.Get("media")
	if !ok {
		t.Fatal("the lesson was not loaded")
	}
	voice := l.Steps[0].Media.File()
	if o, err := sound.ReadOgg(voice.Data); err != nil || o.Codec != sound.Opus || voice.MIMEType != "audio/ogg" {
		t.Errorf("the sound loads as %s %v (%v); want an Ogg Opus voice note", voice.MIMEType, o.Codec, err)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(l.Steps[1].Media.File().Poster)); err != nil || cfg.Width != 320 {
		t.Errorf("the video's poster: %+v, %v; want a JPEG of its 320-pixel frames", cfg, err)
	}
}

// TestLessonsSMSCost: validation says what each lesson costs a member by
// SMS, in segments, per language, and warns above 30: a question's
// options numbered on lines of their own and how to answer it, typed (the
// hand-hygiene lesson's English is 10 segments with it, 9 without: one
// question goes past 160 characters), one emoji turning a message
// into UCS-2 (73 code units: two segments), and a lesson of 31 messages.
func TestLessonsSMSCost(t *testing.T) {
	var out strings.Builder
	if err := huddle.ValidateLessons(&out, []string{"testdata/sms-lessons"}); err != nil {
		t.Fatalf("validate: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"short (2 steps, group) · by SMS, a member: 2 segments\n",
		"emoji (1 step, group) · by SMS, a member: 2 segments (UCS-2 for 👏)\n",
		"long (31 steps, group) · by SMS, a member: 31 segments\n",
		"warning: testdata/sms-lessons/long.yaml: lesson long costs more than 30 SMS segments a member (31 segments)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("validation lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Count(out.String(), "warning:") != 1 {
		t.Errorf("validation warns of other lessons than the long one:\n%s", out.String())
	}
	// The built-in lessons, in both their languages, and in English each
	// in GSM-7 (800 mcg, not µg; 30 degrees Celsius, not °C).
	out.Reset()
	if err := huddle.ValidateLessons(&out, []string{"lessons"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "hand-hygiene (9 steps, group) · by SMS, a member: en 10 segments, fr 12 segments (UCS-2 for â)\n") {
		t.Errorf("the built-in lesson's SMS cost is not given per language, with what forces UCS-2:\n%s", out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if _, cost, ok := strings.Cut(line, "by SMS, a member: en "); ok && strings.Contains(strings.Split(cost, ",")[0], "UCS-2") {
			t.Errorf("a built-in lesson goes in UCS-2 in English: %s", line)
		}
	}
}
