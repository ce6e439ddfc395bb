package wafake

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite" // whatsmeow's store, in a SQLite file
)

// Phone is a member's WhatsApp: a real whatsmeow client, linked as the
// account's device 1, with its own store in a SQLite file, connected to
// the server. Its events are kept for the test to wait on.
type Phone struct {
	*whatsmeow.Client
	// JID is the account (a phone number, without device).
	JID types.JID
	// DB is the path of its store, a SQLite file.
	DB string

	mu     sync.Mutex
	events []any
	wake   chan struct{}
}

// LinkDevice stores a device of the account user (its device 1) in c, as
// pairing leaves it: whatsmeow's own keys, and a placeholder account
// signature (the server checks none).
func LinkDevice(ctx context.Context, c *sqlstore.Container, user types.JID, pushName string) (*store.Device, error) {
	dev := c.NewDevice()
	jid := types.NewADJID(user.User, 0, 1)
	dev.ID, dev.PushName = &jid, pushName
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := dev.Save(ctx); err != nil {
		return nil, fmt.Errorf("link %s: %w", user, err)
	}
	return dev, nil
}

// Phone connects a member's phone for the account number (digits), named
// name, and waits until its prekeys are on the server, so that others can
// write to it. It disconnects at the test's end.
func (s *Server) Phone(t testing.TB, number, name string) *Phone {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), number+".db")
	c, err := sqlstore.New(ctx, "sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	user := types.NewJID(number, types.DefaultUserServer)
	dev, err := LinkDevice(ctx, c, user, name)
	if err != nil {
		t.Fatal(err)
	}
	p := &Phone{Client: whatsmeow.NewClient(dev, waLog.Noop), JID: user, DB: path, wake: make(chan struct{}, 1)}
	s.Attach(p.Client)
	p.AddEventHandler(func(evt any) {
		p.mu.Lock()
		p.events = append(p.events, evt)
		p.mu.Unlock()
		select {
		case p.wake <- struct{}{}:
		default:
		}
	})
	t.Cleanup(p.Disconnect)
	p.Reconnect(t)
	// Shown with its name in the messages it sends, as a phone is.
	if err := p.SendPresence(ctx, types.PresenceAvailable); err != nil {
		t.Fatal(err)
	}
	return p
}

// Reconnect connects the phone and waits until it is connected, with its
// prekeys on the server.
func (p *Phone) Reconnect(t testing.TB) {
	t.Helper()
	connected := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		n := 0
		for _, e := range p.events {
			if _, ok := e.(*events.Connected); ok {
				n++
			}
		}
		return n
	}
	before := connected()
	if err := p.ConnectContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen := 0
	p.Wait(t, "the phone to connect", func(evt any) bool {
		if _, ok := evt.(*events.Connected); ok {
			seen++
		}
		return seen > before
	})
}

// LoseKeys deletes the Signal sessions and group sender keys the phone
// holds, as a phone restored from a backup has lost them: it cannot
// decrypt the next message and asks its sender for it again (a retry
// receipt, with its keys).
func (p *Phone) LoseKeys(t testing.TB) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+p.DB+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"whatsmeow_sessions", "whatsmeow_sender_keys"} {
		if _, err := db.Exec(`DELETE FROM ` + table); err != nil {
			t.Fatal(err)
		}
	}
}

// Wait returns the first event (from the start) for which match holds,
// waiting up to ten seconds for it.
func (p *Phone) Wait(t testing.TB, what string, match func(evt any) bool) any {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	seen := 0
	for {
		p.mu.Lock()
		evts := p.events[seen:]
		seen = len(p.events)
		p.mu.Unlock()
		for _, e := range evts {
			if match(e) {
				return e
			}
		}
		select {
		case <-p.wake:
		case <-deadline.C:
			t.Fatalf("phone %s: no %s within 10s", p.JID.User, what)
			return nil
		}
	}
}

// Message waits for a message in chat for which match holds.
func (p *Phone) Message(t testing.TB, chat types.JID, match func(*events.Message) bool) *events.Message {
	t.Helper()
	evt := p.Wait(t, "message in "+chat.String(), func(evt any) bool {
		m, ok := evt.(*events.Message)
		return ok && m.Info.Chat == chat && match(m)
	})
	return evt.(*events.Message)
}
