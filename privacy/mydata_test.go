package privacy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/privacy"
	"github.com/huddlebot/huddle/store"
)

// dataFile is the part of /mydata's file the tests read.
type dataFile struct {
	Format  string `json:"format"`
	Profile struct {
		Channel    string `json:"channel"`
		PlatformID string `json:"platform_id"`
		Name       string `json:"name"`
		Pseudonym  string `json:"pseudonym"`
	} `json:"profile"`
	Consent *struct {
		Status  string `json:"status"`
		Version int    `json:"version"`
	} `json:"consent"`
	Chats []struct {
		Title string `json:"title"`
		Type  string `json:"type"`
	} `json:"chats"`
	Review struct {
		On    *bool `json:"on"`
		Cards []struct {
			Lesson string `json:"lesson"`
		} `json:"cards"`
		Reviews []struct {
			Right bool `json:"right"`
		} `json:"reviews"`
	} `json:"review"`
	LessonRuns []struct {
		Lesson       string          `json:"lesson"`
		Chat         string          `json:"chat"`
		StartedByYou bool            `json:"started_by_you"`
		YourPart     json.RawMessage `json:"your_part"`
		Answers      []struct {
			Step    string `json:"step"`
			Answer  string `json:"answer"`
			Correct bool   `json:"correct"`
		} `json:"answers"`
	} `json:"lesson_runs"`
	CasesShared []struct {
		Text string `json:"text"`
	} `json:"cases_shared"`
	CasesHeld []struct {
		Text string `json:"text"`
	} `json:"cases_held_for_you_to_confirm"`
	CasePosts []struct {
		Kind string `json:"kind"`
		Text string `json:"text"`
	} `json:"case_posts"`
	Mentoring struct {
		Queues        []string `json:"queues"`
		CasesAssigned []string `json:"cases_assigned"`
		DigestSentAt  string   `json:"digest_sent_at"`
	} `json:"mentoring"`
	LessonsAssigned []struct {
		Lesson string `json:"lesson"`
	} `json:"lessons_assigned"`
	CoursesStarted []struct {
		Course string `json:"course"`
	} `json:"courses_started"`
	CourseResults []struct {
		Course string `json:"course"`
	} `json:"course_results"`
	Certificates []struct {
		Code string `json:"code"`
	} `json:"certificates"`
	Attachments []struct {
		Kind     string `json:"kind"`
		Contents []byte `json:"contents"`
	} `json:"photos_and_voice_notes"`
	Badges []struct {
		Badge string `json:"badge"`
	} `json:"badges"`
	MarkedHelpful []string `json:"case_replies_marked_helpful"`
	Engagement    struct {
		ByKind       map[string]int `json:"by_kind"`
		ActiveWeeks  []any          `json:"active_weeks"`
		ProgramWeeks []string       `json:"program_weeks"`
	} `json:"engagement"`
}

// myData sends /mydata in who's private chat and returns the summary and
// the file, downloaded from the simulator's page as a member would.
func (h *harness) myData(who, name string) (string, dataFile) {
	h.T.Helper()
	chat := "dm-" + who
	seq := h.Last(chat)
	h.Post(chat, who, name, "/mydata", "")
	summary := h.Wait(chat, seq, "What Huddle holds about you")
	msg := h.Wait(chat, summary.Seq, "as a file (JSON)")
	if msg.File == nil {
		h.T.Fatalf("the file's message %q has no file", msg.Text)
	}
	srv := httptest.NewServer(h.Sim.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + msg.File.URL + "?as=" + who) // her private chat's file, for her alone
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		h.T.Fatalf("download %s: %s %v", msg.File.URL, resp.Status, err)
	}
	disp, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if resp.Header.Get("Content-Type") != "application/json" || disp != "attachment" || params["filename"] != msg.File.Name ||
		!strings.HasPrefix(msg.File.Name, "huddle-mydata-") || msg.File.Size != len(body) {
		h.T.Errorf("download: %v; file %+v; %d bytes", resp.Header, *msg.File, len(body))
	}
	var f dataFile
	if err := json.Unmarshal(body, &f); err != nil {
		h.T.Fatalf("the file is not JSON: %v\n%s", err, body)
	}
	if f.Format != privacy.DataFormat {
		h.T.Errorf("format %q; want %q", f.Format, privacy.DataFormat)
	}
	return summary.Text, f
}

// TestMyData: /mydata answers privately with what is held, as a summary
// and as a JSON file: profile and pseudonym, consent, groups, answers,
// activity. Neither stays in the outbox once sent. Someone who declined is
// told only their answer to the notice is held.
func TestMyData(t *testing.T) {
	h := startWith(t, huddletest.Options{Consent: notice1, Pseudonyms: true})
	seq := h.Last("dm-amina")
	h.Post("dm-amina", "amina", "Amina Yusuf", "/start", "")
	notice := h.Wait("dm-amina", seq, noticeMark)
	h.PressAs("dm-amina", "amina", "Amina Yusuf", notice.ID, notice.Options[0].Data)
	h.Wait("dm-amina", notice.Seq, "Welcome to Huddle, Member-")
	seq = h.Last("ward")
	h.Post("ward", "amina", "Amina Yusuf", "/lesson quick-quiz", "")
	h.Wait("ward", seq, "Upper limit")
	h.Post("ward", "amina", "Amina Yusuf", "20", "")
	h.Wait("ward", seq, ": correct")
	h.Post("ward", "amina", "Amina Yusuf", "/mydata", "")
	h.Wait("ward", seq, "private chat")

	got, file := h.myData("amina", "Amina Yusuf")
	for _, want := range []string{"Amina Yusuf (sim id amina); others see you as Member-", "accepted, version 1",
		"Groups: Ward 5", "took part in: 1; your answers kept: 1", "answers 1", "/forget", "language none chosen (send /lang to choose one)"} {
		if !strings.Contains(got, want) {
			t.Errorf("/mydata says %q; want %q in it", got, want)
		}
	}
	if file.Profile.Channel != "sim" || file.Profile.PlatformID != "amina" || file.Profile.Name != "Amina Yusuf" ||
		!strings.HasPrefix(file.Profile.Pseudonym, bot.PseudonymPrefix) {
		t.Errorf("profile %+v", file.Profile)
	}
	if file.Consent == nil || file.Consent.Status != "accepted" || file.Consent.Version != 1 {
		t.Errorf("consent %+v; want accepted, version 1", file.Consent)
	}
	if len(file.LessonRuns) != 1 || file.LessonRuns[0].Lesson != "quick-quiz" || file.LessonRuns[0].Chat != "Ward 5" ||
		!file.LessonRuns[0].StartedByYou || len(file.LessonRuns[0].Answers) != 1 ||
		file.LessonRuns[0].Answers[0].Answer != "20" || !file.LessonRuns[0].Answers[0].Correct {
		t.Errorf("lesson runs %+v", file.LessonRuns)
	}
	if file.Engagement.ByKind["answer"] != 1 || len(file.Engagement.ProgramWeeks) != 1 {
		t.Errorf("engagement %+v", file.Engagement)
	}

	// Both messages leave the outbox once sent.
	ctx := context.Background()
	var traces []store.Trace
	testkit.Eventually(t, 5*time.Second, "/mydata's messages gone from the store", func() bool {
		var err error
		if traces, err = h.App.DB.Traces(ctx, 0, "huddle-mydata-", "What Huddle holds about you:"); err != nil {
			t.Fatal(err)
		}
		return len(traces) == 0
	}, func() string { return fmt.Sprint(traces) })

	seq = h.Last("dm-baraka")
	h.Post("dm-baraka", "baraka", "Baraka", "hello", "")
	notice = h.Wait("dm-baraka", seq, noticeMark)
	h.PressAs("dm-baraka", "baraka", "Baraka", notice.ID, notice.Options[1].Data)
	h.Post("dm-baraka", "baraka", "Baraka", "/mydata", "")
	h.Wait("dm-baraka", notice.Seq, "nothing about you but your answer to the privacy notice: declined")
}
