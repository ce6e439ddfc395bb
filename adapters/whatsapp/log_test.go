package whatsapp

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestWhatsmeowWarningsHideNumbers: whatsmeow's warnings and errors name
// JIDs; what reaches the log at those levels has no phone number.
func TestWhatsmeowWarningsHideNumbers(t *testing.T) {
	var buf bytes.Buffer
	l := slogWA{log: slog.New(slog.NewTextHandler(&buf, nil))}.Sub("Client")
	l.Warnf("Failed to decrypt message from %s: %v", "254722123456@s.whatsapp.net", "no session")
	l.Errorf("Error sending retry receipt to %s (device %s)", "254722123456:12@s.whatsapp.net", "+254 722")
	l.Warnf("Group %s: participant %s left", "120363025246125888@g.us", "165463981236447@lid")
	out := buf.String()
	for _, number := range []string{"254722123456", "120363025246125888", "165463981236447"} {
		if strings.Contains(out, number) {
			t.Errorf("log holds %s:\n%s", number, out)
		}
	}
	if !strings.Contains(out, "Failed to decrypt message from [number]@s.whatsapp.net: no session") {
		t.Errorf("the message is not kept around the number:\n%s", out)
	}
}
