package twilio

import (
	"net/url"
	"testing"
)

// TestSignature checks the signature against the example Twilio's
// security documentation has long used (the same address, parameters and
// token give the same signature in its libraries).
func TestSignature(t *testing.T) {
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	if got, want := Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", form), "0/KCTR6DLpKmkAf8muzZqo1nDgQ="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}
