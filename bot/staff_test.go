package bot

import "testing"

// TestStaffRefMatches: a reference in the configuration's forms names the
// member as each channel gives them.
func TestStaffRefMatches(t *testing.T) {
	for _, c := range []struct {
		ref  string
		m    Member
		want bool
	}{
		{"telegram:123456789", Member{Channel: "telegram", PlatformID: "123456789"}, true},
		{"whatsapp:+254700000001", Member{Channel: "whatsapp", PlatformID: "254700000001@s.whatsapp.net"}, true},
		{"whatsapp:254700000001", Member{Channel: "whatsapp", PlatformID: "81000000000009@lid", Alias: "254700000001@s.whatsapp.net"}, true},
		{"sms:+254700000009", Member{Channel: "sms", PlatformID: "+254700000009"}, true},
		{"sms:254700000009", Member{Channel: "sms", PlatformID: "+254700000009"}, true},
		{"sms:+254700000009", Member{Channel: "sms", PlatformID: "+254700000008"}, false},
		{"sms:+254700000009", Member{Channel: "whatsapp", PlatformID: "254700000009@s.whatsapp.net"}, false},
	} {
		ref, err := ParseStaffRef(c.ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := ref.Matches(c.m); got != c.want {
			t.Errorf("%s matches %s:%s: %v, want %v", c.ref, c.m.Channel, c.m.PlatformID, got, c.want)
		}
	}
}
