package sim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/huddlebot/huddle/adapters/sim"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// TestExportsEndWithTheMember: a member's /mydata file is served only to
// that member and only for a day; after /forget the simulator holds
// neither the file nor the private transcript; and the transcript is read
// chat by chat, never all at once.
func TestExportsEndWithTheMember(t *testing.T) {
	clock := huddletest.NewClock()
	s := sim.New(clock)
	huddletest.Start(t, huddletest.Options{Clock: clock}, s)
	c := simtest.Chats{T: t, Sim: s}
	srv := httptest.NewServer(s.Routes()[0].Handler)
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	c.Post("ward", "amina", "Morning")
	seq := c.Post("dm-amina", "amina", "/mydata")
	file := c.Wait("dm-amina", seq, "")
	for file.File == nil {
		file = c.Wait("dm-amina", file.Seq, "")
	}
	url := file.File.URL
	if code, body := get(url + "?as=amina"); code != 200 || !strings.Contains(body, "lesson_runs") {
		t.Fatalf("her own file: %d %.80s", code, body)
	}
	for _, as := range []string{"", "brigitte"} {
		if code, body := get(url + "?as=" + as); code != 404 || strings.Contains(body, "lesson_runs") {
			t.Errorf("her file asked for as %q: %d", as, code)
		}
	}
	clock.Advance(sim.ExportLife)
	if code, _ := get(url + "?as=amina"); code != 404 {
		t.Errorf("her file a day later: %d; want 404", code)
	}

	// The transcript: chat by chat.
	if code, _ := get("/api/messages?after=0"); code != 400 {
		t.Errorf("every chat at once: %d; want 400", code)
	}
	if code, _ := get("/api/messages?chat=&after=0"); code != 400 {
		t.Errorf("an empty chat name: %d; want 400", code)
	}
	code, body := get("/api/messages?chat=ward&chat=dm-amina&after=0")
	var msgs []sim.Message
	json.Unmarshal([]byte(body), &msgs)
	if code != 200 || len(msgs) == 0 {
		t.Fatalf("two chats: %d %s", code, body)
	}

	// She asks to be forgotten: the private transcript and its files go,
	// but for the word that she was.
	seq = c.Post("dm-amina", "amina", "/mydata")
	again := c.Wait("dm-amina", seq, "")
	for again.File == nil {
		again = c.Wait("dm-amina", again.Seq, "")
	}
	seq = c.Post("dm-amina", "amina", "/forget")
	ask := c.Wait("dm-amina", seq, "Erase everything?")
	c.Press("dm-amina", "amina", ask, 0)
	done := c.Wait("dm-amina", ask.Seq, "Huddle no longer holds anything about you")
	left := s.Messages(context.Background(), "dm-amina", 0, 0)
	if len(left) != 1 || left[0].ID != done.ID {
		t.Errorf("after /forget her private chat holds %d messages: %+v", len(left), left)
	}
	for _, m := range []string{file.ID, again.ID} {
		if _, ok := s.File(m); ok {
			t.Errorf("after /forget the simulator still holds the file of %s", m)
		}
	}
	if len(s.Messages(context.Background(), "ward", 0, 0)) == 0 {
		t.Error("the group's transcript went too")
	}
}

// TestSimulatorOnLoopback: the simulator refuses requests from beyond this
// machine unless made Remote, whatever address the server listens on.
func TestSimulatorOnLoopback(t *testing.T) {
	for _, tt := range []struct {
		remote bool
		from   string
		want   int
	}{
		{false, "127.0.0.1:4000", 200},
		{false, "[::1]:4000", 200},
		{false, "203.0.113.7:4000", 403},
		{true, "203.0.113.7:4000", 200},
	} {
		var opts []sim.Option
		if tt.remote {
			opts = append(opts, sim.Remote())
		}
		h := sim.New(nil, opts...).Routes()[0].Handler
		req := httptest.NewRequest("GET", "/api/stats", nil)
		req.RemoteAddr = tt.from
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("remote %v, from %s: %d; want %d", tt.remote, tt.from, rec.Code, tt.want)
		}
	}
}
