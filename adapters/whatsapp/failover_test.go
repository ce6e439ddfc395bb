package whatsapp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/internal/testkit/wafake"
	"github.com/huddlebot/huddle/store"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// TestFailoverOnTheRealPath (issue 33's proof by killing, in one process):
// three Huddle instances share one PostgreSQL database, which holds
// Huddle's data and the WhatsApp session (whatsmeow's own store); each
// runs the WhatsApp channel on whatsmeow's real client, against a WhatsApp
// server on loopback (wafake) with three nurses' phones in the group. One
// instance holds the number's lease and connects; a nurse starts a lesson
// in three parts a few seconds apart; after the first part, the instance
// holding the session loses its database and stops (as when its machine
// dies). Another instance takes the session over, and every phone shows
// each part exactly once: nothing lost, nothing shown twice (a part the
// holder sent but had not recorded as sent goes again under its id,
// which a phone shows once).
func TestFailoverOnTheRealPath(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three instances on PostgreSQL")
	}
	const leaseTTL = 1500 * time.Millisecond
	ctx := context.Background()
	url := pgtest.URL(t)
	srv := wafake.New(t)
	c, err := sqlstore.New(ctx, "pgx", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wafake.LinkDevice(ctx, c, botPN, "Huddle"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var phones []*wafake.Phone
	members := []types.JID{botPN}
	for _, n := range nurses {
		phones = append(phones, srv.Phone(t, n.pn.User, n.name))
		members = append(members, n.pn)
	}
	srv.Group(pnGroup, "Ward 4 nurses", members, botPN, nurses[0].pn)

	media := filepath.Join(t.TempDir(), "media")
	type instance struct {
		w      *WhatsApp
		leases *cuttable
		app    *huddletest.App
	}
	var ins []*instance
	for i := range 3 {
		name := fmt.Sprintf("huddle-%d", i+1)
		db, err := store.OpenDatabase(ctx, url, media)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		in := &instance{leases: &cuttable{Leases: db}}
		in.w, err = New(ctx, Config{SessionDB: url, ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: db, Leases: in.leases,
			Instance: name, LeaseTTL: leaseTTL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		srv.Attach(in.w.cli)
		in.app = huddletest.Start(t, huddletest.Options{DBPath: url, Media: media, Lessons: filepath.Join("testdata", "relay"),
			Instance: name, ChatLease: 2 * time.Second, SystemClock: true}, in.w)
		t.Cleanup(func() { in.w.Close() })
		ins = append(ins, in)
	}
	leader := func() *instance {
		var found *instance
		for _, in := range ins {
			if in.w.Leading() && in.w.isConnected() {
				if found != nil {
					t.Error("two instances hold the session at once")
				}
				found = in
			}
		}
		return found
	}
	testkit.Eventually(t, 20*time.Second, "an instance to hold the session", func() bool { return leader() != nil })
	first := leader()

	// The messages each phone gets of each part, by WhatsApp id: a phone
	// shows one message per id, so a part resent with its id (the one
	// its outbox row gives it) after the holder died between sending it
	// and recording that it did is shown once, as documented; a part
	// sent under two ids would be shown twice.
	var mu sync.Mutex
	var parts [3][3]map[types.MessageID]bool
	texts := []string{"First part", "Second part", "Third part"}
	for i, p := range phones {
		p.AddEventHandler(func(evt any) {
			m, ok := evt.(*events.Message)
			if !ok || m.Info.Chat != pnGroup {
				return
			}
			for k, prefix := range texts {
				if strings.HasPrefix(m.Message.GetConversation(), prefix) || strings.HasPrefix(m.Message.GetExtendedTextMessage().GetText(), prefix) {
					mu.Lock()
					if parts[i][k] == nil {
						parts[i][k] = map[types.MessageID]bool{}
					}
					parts[i][k][m.Info.ID] = true
					mu.Unlock()
				}
			}
		})
	}
	shown := func(i, k int) int {
		mu.Lock()
		defer mu.Unlock()
		return len(parts[i][k])
	}
	if _, err := phones[0].SendMessage(ctx, pnGroup, &waE2E.Message{Conversation: proto.String("/lesson relay")}); err != nil {
		t.Fatal(err)
	}
	got := func(k int) bool {
		for i := range phones {
			if shown(i, k) == 0 {
				return false
			}
		}
		return true
	}
	testkit.Eventually(t, 20*time.Second, "every phone to get the first part", func() bool { return got(0) })

	// The instance holding the session dies: its database is gone, then
	// it stops.
	first.leases.cut.Store(true)
	killed := time.Now()
	first.app.Stop()
	testkit.Eventually(t, 30*time.Second, "another instance to hold the session", func() bool {
		l := leader()
		return l != nil && l != first
	})
	t.Logf("the session was taken over %v after its holder died (lease %v)", time.Since(killed).Round(time.Millisecond), leaseTTL)
	testkit.Eventually(t, 30*time.Second, "every phone to get the second and third parts", func() bool { return got(1) && got(2) })
	// Anything sent twice would have arrived by now with the third part.
	for i := range phones {
		for k := range texts {
			if n := shown(i, k); n != 1 {
				t.Errorf("%s's phone shows %q %d times (under as many ids); want once", nurses[i].name, texts[k], n)
			}
		}
	}
}
