package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"
)

// TestPairByCode: a pairing code is requested only after the first QR
// event, as whatsmeow's documentation asks (and once, however many QR
// codes follow); after the phone links, Pair waits for the first login
// that follows (whatsmeow reconnects) before it disconnects.
func TestPairByCode(t *testing.T) {
	w, err := New(context.Background(), Config{SessionDB: filepath.Join(t.TempDir(), "wa.db"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.dial = func(context.Context) error { return nil }
	qr := make(chan whatsmeow.QRChannelItem)
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	w.pairing = pairing{
		qrChannel: func(context.Context) (<-chan whatsmeow.QRChannelItem, error) { return qr, nil },
		pairPhone: func(_ context.Context, num string) (string, error) {
			note("pair-phone " + num)
			return "ABCD-EFGH", nil
		},
		settle: 5 * time.Second,
	}
	done := make(chan error, 1)
	go func() {
		done <- w.Pair(context.Background(), "+254 700 000001", Pairing{Code: func(c string) { note("code " + c) }, QR: func(string) { note("qr") }})
	}()
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	early := len(order)
	mu.Unlock()
	if early != 0 {
		t.Fatalf("a code was requested before the first QR event: %v", order)
	}
	qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@first"}
	qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@second"}
	qr <- whatsmeow.QRChannelSuccess
	// Linked: whatsmeow now holds the device and reconnects.
	jid := botPN
	w.cli.Store.ID = &jid
	select {
	case err := <-done:
		t.Fatalf("Pair returned (%v) before the first login after linking", err)
	case <-time.After(50 * time.Millisecond):
	}
	w.onEvent(&events.Connected{})
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Pair did not return after the first login")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 2 || order[0] != "pair-phone 254700000001" || order[1] != "code ABCD-EFGH" {
		t.Errorf("pairing went %v; want one code request after the first QR event, then the code shown", order)
	}
}

// TestDirectLink: a paired number's click-to-chat link brings the command
// written for the member to send; an unpaired session has none.
func TestDirectLink(t *testing.T) {
	h := newHarness(t, Config{})
	if got, want := h.w.DirectLink("certificates"), "https://wa.me/15550000001?text=%2Fcertificates"; got != want {
		t.Errorf("DirectLink = %q, want %q", got, want)
	}
	w, err := New(context.Background(), Config{SessionDB: filepath.Join(t.TempDir(), "wa.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.DirectLink("certificates"); got != "" {
		t.Errorf("unpaired DirectLink = %q, want none", got)
	}
}
