package smsgate

import (
	"context"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/smsfake"
)

// TestSendOnce: a request sent again under the same key (after a crash,
// before its sending was recorded) is taken by the app and not sent
// twice; another key is another text.
func TestSendOnce(t *testing.T) {
	fake := smsfake.NewSMSGate(t, 100)
	g, err := New(Config{API: fake.URL(), Username: fake.Username, Password: fake.Password, SigningKey: fake.SigningKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	to := []string{"+254700000001", "+254700000002"}
	for _, key := range []string{"k1", "k1", "k2"} {
		res, err := g.Send(ctx, key, "Lesson 7: the danger signs again.", to)
		if err != nil || len(res) != 2 || res[0].Err != nil || res[0].ID == "" {
			t.Fatalf("send %s: %v %+v", key, err, res)
		}
	}
	if n := len(fake.Texts("+254700000001")); n != 2 {
		t.Errorf("the first number got %d texts, want 2 (k1 once, k2)", n)
	}
}

// TestSignature checks the signature against the app's documented
// scheme (HMAC-SHA256 of the body, then the timestamp), computed apart:
// printf '%s' '{"event":"sms:received"}1700000000' | openssl dgst -sha256 -hmac secret
func TestSignature(t *testing.T) {
	got := Signature("secret", []byte(`{"event":"sms:received"}`), "1700000000")
	if want := "f5296c3e56c905bb4c50801a973249d173e4d05cfef6bbb6ca7cc86d8b150115"; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}
