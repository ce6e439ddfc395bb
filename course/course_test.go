package course_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/browsertest"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/pdftest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
	"github.com/huddlebot/huddle/internal/testkit/xapitest"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/xapi"
)

// world is a ward's group and its members' private chats in the
// simulator, with Huddle running on a fake clock.
type world struct {
	simtest.Chats
	t   *testing.T
	s   *sim.Sim
	app *huddletest.App
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := sim.New(nil)
	app := huddletest.Start(t, huddletest.Options{Lessons: filepath.Join("testdata", "lessons"), Web: true, Remind: 30 * time.Minute,
		Staff: []bot.StaffRef{{Channel: sim.Name, ID: "lead"}}}, s)
	return &world{Chats: simtest.Chats{T: t, Sim: s}, t: t, s: s, app: app}
}

// TestThreeWeekCourse runs a course of three lessons over three weeks in
// a ward's group, on a fake clock (the program's time zone is UTC): each
// lesson opens on its day at its hour and not before; the group is
// reminded half an hour before a question closes; the third lesson, set
// at 06:00, waits for the end of the quiet hours at 07:00; a question Amina
// got wrong comes back to her privately on FSRS's schedule, a day later
// and not before, within her hours; at the end the group hears how many
// passed (two of three lessons) and Amina, who did, is told so privately
// with her CPD hours, while Baraka, who did not, is not.
func TestThreeWeekCourse(t *testing.T) {
	w := newWorld(t)
	clk := w.app.Clock // Monday 2 March 2026, 08:30
	for _, who := range []string{"amina", "baraka"} {
		w.Post("ward", who, "Hello everyone")
		seq := w.Post("dm-"+who, who, "/start")
		w.Wait("dm-"+who, seq, "Welcome")
	}
	seq := w.Post("dm-amina", "amina", "/review on 8-20")
	w.Wait("dm-amina", seq, "Review is on")
	seq = w.Post("dm-amina", "amina", "/certificates name Amina Achieng Otieno")
	w.Wait("dm-amina", seq, "Your certificates from now on carry the name Amina Achieng Otieno.")
	seq = w.Post("dm-amina", "amina", "/certificates name 0722 123 456")
	w.Wait("dm-amina", seq, "Give your full name as it should be printed")

	// Chidi is in the group and will let the first question pass.
	w.Post("ward", "chidi", "Hello everyone")
	seq = w.Post("ward", "lead", "/assign three-weeks")
	w.Wait("ward", seq, "1. Week 1: Mon 2 Mar 09:00\n2. Week 2: Mon 9 Mar 09:00\n3. Week 3: Mon 16 Mar 06:00")
	seq = w.Post("ward", "lead", "/assign")
	w.Wait("ward", seq, "Newborn care in three weeks (three-weeks): lesson 1 of 3, Week 1, opens Mon 2 Mar 09:00")
	seq = w.Post("ward", "lead", "/assign three-weeks")
	w.Wait("ward", seq, "This group is taking Newborn care in three weeks already")
	seq = w.Post("ward", "amina", "/lessons")
	w.Wait("ward", seq, "three-weeks: Newborn care in three weeks (3 lessons, 3 CPD hours)")

	// Week 1 opens at nine, not before.
	clk.Advance(29 * time.Minute)
	w.None("ward", seq, "lesson 1 of 3")
	clk.Advance(time.Minute)
	w.Wait("ward", seq, "📚 Newborn care in three weeks: lesson 1 of 3.")
	q := w.Wait("ward", seq, "Week 1: Which is a danger sign")
	w.Press("ward", "amina", q, 1) // wrong
	w.Press("ward", "baraka", q, 0)
	// Chidi lets it pass (the lead, staff, is not waited for): the group
	// is reminded half an hour before the question closes, after its two
	// hours.
	clk.Advance(90 * time.Minute)
	w.Wait("ward", q.Seq, "⏰ 30m left to answer: Week 1: Which is a danger sign in a newborn?\n2 of 3 have answered so far.")
	clk.Advance(30 * time.Minute)
	w.Wait("ward", q.Seq, "Week 1 is done.")

	// Amina's miss comes back a day later, within her hours, not before.
	dm := w.Last("dm-amina")
	clk.Advance(21*time.Hour + 50*time.Minute) // Tuesday 08:50
	w.None("dm-amina", dm, "🔁 Review")
	clk.Advance(20 * time.Minute) // 09:10
	rv := w.Wait("dm-amina", dm, "🔁 Review, from Week 1")
	w.Press("dm-amina", "amina", rv, 0)
	w.Wait("dm-amina", rv.Seq, "Right!")

	// Week 2 opens on Monday 9 March at nine.
	seq = w.Last("ward")
	clk.Advance(6*24*time.Hour - 20*time.Minute) // Monday 08:50
	w.None("ward", seq, "lesson 2 of 3")
	clk.Advance(10 * time.Minute)
	w.Wait("ward", seq, "lesson 2 of 3.")
	q = w.Wait("ward", seq, "Week 2: How soon after birth")
	w.Press("ward", "amina", q, 0)
	w.Press("ward", "baraka", q, 2) // wrong
	clk.Advance(2 * time.Hour)
	w.Wait("ward", q.Seq, "Week 2 is done.")

	// Week 3 is set at 06:00 on Monday 16 March: it waits for the end of
	// the quiet hours.
	seq = w.Last("ward")
	clk.Advance(7*24*time.Hour - 5*time.Hour) // Monday 06:00
	w.None("ward", seq, "lesson 3 of 3")
	clk.Advance(59 * time.Minute) // 06:59
	w.None("ward", seq, "lesson 3 of 3")
	clk.Advance(time.Minute) // 07:00
	w.Wait("ward", seq, "lesson 3 of 3.")
	q = w.Wait("ward", seq, "Week 3: Which drug")
	w.Press("ward", "amina", q, 0)
	// Baraka lets it pass: the question closes after its two hours.
	clk.Advance(2 * time.Hour)
	w.Wait("ward", q.Seq, "Week 3 is done.")

	w.Wait("ward", q.Seq, "🎓 The course Newborn care in three weeks is over. 1 of the 2 members who took part passed")
	got := w.Wait("dm-amina", dm, "🎓 You passed Newborn care in three weeks: 2 of its 3 lessons passed. You earn 3 CPD hours.")
	w.None("dm-baraka", 0, "🎓")
	seq = w.Post("ward", "lead", "/assign")
	w.Wait("ward", seq, "No lessons or courses are assigned")

	// Her certificate: a PDF that reads back with her name (set before the
	// course ended), the course, the hours, the date and its code.
	code := codePattern.FindString(got.Text)
	file, ok := w.s.File(got.ID)
	if code == "" || !ok || file.MIMEType != "application/pdf" || file.Name != "certificate-"+code+".pdf" {
		t.Fatalf("certificate message %q with file %v %q", got.Text, ok, file.Name)
	}
	text := pdftest.Text(t, file.Data)
	for _, want := range []string{"Amina Achieng Otieno", "Newborn care in three weeks", "earning 3 hours", "Issued on 16 March 2026", code} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate lacks %q:\n%s", want, text)
		}
	}
	// The verification page and command accept its code, and refuse it
	// changed by one character.
	changed := code[:len(code)-1] + string("23456789ABCDEFGHJKLMNPQRSTUVWXYZ"[(strings.IndexByte("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", code[len(code)-1])+1)%32])
	status, page := get(t, w.app.URL+"/verify/"+code)
	if status != http.StatusOK || !strings.Contains(page, "This certificate is valid") || !strings.Contains(page, "Amina Achieng Otieno") {
		t.Errorf("the page for %s: %d %s", code, status, page)
	}
	if status, page := get(t, w.app.URL+"/verify/"+changed); status != http.StatusNotFound || !strings.Contains(page, "No certificate has the code "+changed) {
		t.Errorf("the page for %s: %d %s", changed, status, page)
	}
	huddle := buildHuddle(t)
	out, err := exec.Command(huddle, "certificates", "verify", strings.ToLower(code), "--db", w.app.Path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid certificate "+code) || !strings.Contains(string(out), "awarded to:     Amina Achieng Otieno") {
		t.Errorf("huddle certificates verify %s: %v\n%s", code, err, out)
	}
	out, err = exec.Command(huddle, "certificates", "verify", changed, "--db", w.app.Path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no certificate has the code "+changed) {
		t.Errorf("huddle certificates verify %s: %v\n%s", changed, err, out)
	}
	coursePageInBrowser(t, w, code)
	courseInRecords(t, w, huddle, code)

	// /certificates sends it again.
	seq = w.Post("dm-amina", "amina", "/certificates")
	again := w.Wait("dm-amina", seq, "🎓 Newborn care in three weeks: 3 CPD hours, issued 16 Mar 2026.")
	if f, ok := w.s.File(again.ID); !ok || f.Name != file.Name {
		t.Errorf("/certificates sent %v %q", ok, f.Name)
	}
}

var codePattern = regexp.MustCompile(`[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// buildHuddle builds the huddle command into the test's folder.
func buildHuddle(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "huddle")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/huddlebot/huddle/cmd/huddle").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestRequiredLessonFirst: a lesson set before the lesson it requires
// waits for that one to have run in the group, then opens; /unassign
// stops the course.
func TestRequiredLessonFirst(t *testing.T) {
	w := newWorld(t)
	clk := w.app.Clock // Monday 08:30
	seq := w.Post("ward", "lead", "/assign first-things-first")
	w.Wait("ward", seq, "1. Week 1: Tue 3 Mar 09:00\n2. Week 2: Mon 2 Mar 09:00")
	clk.Advance(time.Hour) // Monday 09:30: week 2's time, but week 1 has not run
	w.None("ward", seq, "First things first: lesson")
	clk.Advance(24 * time.Hour) // Tuesday 09:30
	q := w.Wait("ward", seq, "Week 1: Which is a danger sign")
	w.None("ward", q.Seq, "Week 2")
	clk.Advance(2 * time.Hour) // week 1's question closes; week 2 follows
	w.Wait("ward", q.Seq, "Week 1 is done.")
	w.Wait("ward", q.Seq, "Week 2: How soon after birth")
	seq = w.Post("ward", "lead", "/unassign first-things-first")
	w.Wait("ward", seq, "The course First things first is stopped for this group")
	seq = w.Post("ward", "lead", "/assign")
	w.Wait("ward", seq, "No lessons or courses are assigned")
}

// coursePageInBrowser opens the course's page from the dashboard's
// overview in headless Chromium and reads each member's row: Amina
// failed week 1 and passed weeks 2 and 3 (the course, with her
// certificate), Baraka passed week 1 only, Chidi answered nothing, and
// the lead (staff) is not listed among the learners. The cards count in the singular for one.
func coursePageInBrowser(t *testing.T, w *world, code string) {
	t.Helper()
	ids := map[string]int64{}
	err := w.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		for _, who := range []string{"amina", "baraka", "chidi", "lead"} {
			m, err := tx.MemberByRef(bot.StaffRef{Channel: sim.Name, ID: who})
			if err != nil {
				return err
			}
			ids[who] = m.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Start(t, 420, 1000)
	if err := chromedp.Do(ctx, chromedp.Navigate(w.app.URL+"/dashboard/")); err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#courses a[href='course/three-weeks']").getAttribute("href")`))
	if err != nil || href != "course/three-weeks" {
		t.Fatalf("the overview's course link %q: %v", href, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(w.app.URL+"/dashboard/"+href)); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](`Object.fromEntries([...document.querySelectorAll(".cohort tbody tr")].map(r => [r.dataset.member, [...r.cells].slice(1).map(c => c.innerText)]))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"amina":  {"0%", "100% ✓", "100% ✓", "2 / 2", "passed · certificate " + code},
		"baraka": {"100% ✓", "0%", "–", "1 / 2", "not passed"},
		"chidi":  {"–", "–", "–", "0 / 2", "–"},
	}
	if _, ok := rows[strconv.FormatInt(ids["lead"], 10)]; ok || len(rows) != len(want) {
		t.Errorf("the course's rows %q; want the three learners' alone, not the lead's", rows)
	}
	for who, cells := range want {
		if got := rows[strconv.FormatInt(ids[who], 10)]; !slices.Equal(got, cells) {
			t.Errorf("%s's row %q, want %q", who, got, cells)
		}
	}
	head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".cohort .state").innerText + " | " + [...document.querySelectorAll(".card")].map(c => c.innerText.replace(/\s+/g, " ")).join(" | ")`))
	if err != nil || head != "Started 2 Mar 2026; ended 16 Mar 2026: 1 passed. | 3 lessons; pass 2, 3 CPD hours | 1 group (0 taking it now) | 1 member passed" {
		t.Errorf("cohort head %q: %v", head, err)
	}
}

// courseInRecords checks the course in huddle report (one group started
// and ended it; two took part, one passed and was certified for 3 hours)
// and in the xAPI export: Amina's completed and passed, in the cmi5 style,
// and her certificate earned, every statement valid.
func courseInRecords(t *testing.T, w *world, huddle, code string) {
	t.Helper()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(huddle, args...)
		cmd.Env = append(os.Environ(), "HUDDLE_DATABASE="+w.app.Path, "HUDDLE_LESSONS="+filepath.Join("testdata", "lessons"), "HUDDLE_TIMEZONE=UTC")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("huddle %v: %v\n%s", args, err, out)
		}
		return out
	}
	var rep struct {
		Courses []report.CourseFigures `json:"courses"`
	}
	if err := json.Unmarshal(run("report", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"), &rep); err != nil {
		t.Fatal(err)
	}
	want := report.CourseFigures{CourseID: "three-weeks", Started: 1, Ended: 1, TookPart: 2, Passed: 1, Certificates: 1, Hours: 3}
	if len(rep.Courses) != 1 || rep.Courses[0] != want {
		t.Errorf("huddle report's courses %+v, want %+v", rep.Courses, want)
	}
	if table := string(run("report", "--from", "2026-03-01", "--to", "2026-03-31")); !strings.Contains(table, "Courses, 1 Mar 2026 to 31 Mar 2026") {
		t.Errorf("huddle report's table lacks the courses:\n%s", table)
	}
	var statements [][]byte
	var found []string
	for _, line := range bytes.Split(bytes.TrimSpace(run("export", "xapi", "--since", "2026-03-01", "--out", "-")), []byte("\n")) {
		var s xapi.Statement
		if err := json.Unmarshal(line, &s); err != nil {
			t.Fatal(err)
		}
		statements = append(statements, line)
		if strings.Contains(s.Object.ID, "three-weeks") || strings.Contains(s.Object.ID, code) {
			cats := ""
			if s.Context != nil && s.Context.ContextActivities != nil {
				for _, c := range s.Context.ContextActivities.Category {
					cats += " " + c.ID[strings.LastIndex(c.ID, "/")+1:]
				}
			}
			found = append(found, s.Actor.Account.Name+" "+s.Verb.Display["en-US"]+" "+s.Object.ID[strings.LastIndex(s.Object.ID, "/")+1:]+cats)
		}
	}
	slices.Sort(found)
	ids := map[string]int64{}
	w.app.DB.Update(context.Background(), func(tx bot.Tx) error {
		for _, who := range []string{"amina", "baraka"} {
			m, _ := tx.MemberByRef(bot.StaffRef{Channel: sim.Name, ID: who})
			ids[who] = m.ID
		}
		return nil
	})
	amina, baraka := fmt.Sprintf("member-%d", ids["amina"]), fmt.Sprintf("member-%d", ids["baraka"])
	wantFound := []string{
		amina + " completed three-weeks cmi5",
		amina + " earned " + code,
		amina + " passed three-weeks cmi5 moveon",
		baraka + " completed three-weeks cmi5",
		baraka + " failed three-weeks cmi5",
	}
	slices.Sort(wantFound)
	if !slices.Equal(found, wantFound) {
		t.Errorf("course statements %q, want %q", found, wantFound)
	}
	for i, p := range xapitest.Problems(t, statements) {
		t.Errorf("statement %d is invalid: %s\n%s", i, p, statements[i])
	}
}

// TestLessonCertificate: a lesson marked certificate: true earns its own
// certificate for a member who passes it (Amina), sent privately with its
// CPD hours; none for one who does not (Baraka).
func TestLessonCertificate(t *testing.T) {
	w := newWorld(t)
	for who, pick := range map[string]int{"amina": 0, "baraka": 1} {
		seq := w.Post("dm-"+who, who, "/lesson hand-rub-check")
		q := w.Wait("dm-"+who, seq, "How long should an alcohol hand rub take?")
		w.Press("dm-"+who, who, q, pick)
	}
	got := w.Wait("dm-amina", 0, "🎓 You passed Hand rub check. You earn 0.5 CPD hours.")
	file, ok := w.s.File(got.ID)
	if !ok || file.MIMEType != "application/pdf" {
		t.Fatalf("no certificate with %q", got.Text)
	}
	if text := pdftest.Text(t, file.Data); !strings.Contains(text, "Hand rub check") || !strings.Contains(text, "earning 0.5 hours") {
		t.Errorf("the certificate reads %q", text)
	}
	w.None("dm-baraka", 0, "🎓")
}
