package bot

import (
	"errors"
	"testing"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"Amina", "Amina", nil},
		{"  Mama   Grace ", "Mama Grace", nil},
		{"Sœur Élodie", "Sœur Élodie", nil},
		{"Dickson", "Dickson", nil},
		{"Scunthorpe nurse", "Scunthorpe nurse", nil},
		{"Nurse-77", "Nurse-77", nil},
		{"A", "", errNameLength},
		{"An extremely long name that goes on and on", "", errNameLength},
		{"Amina 😀", "", errNameChars},
		{"<b>Amina</b>", "", errNameChars},
		{"0722123456", "", errNamePhone},
		{"Amina 0722 123 456", "", errNamePhone},
		{"Member-4821", "", errNameGiven},
		{"member-12", "", errNameGiven},
		{"Member 4821", "", errNameGiven},
		{"Membér_4821", "", errNameGiven},
		{"MEMBER.4821", "", errNameGiven},
		{"Membership", "Membership", nil},
		{"F4gg0t", "", errNameWord},
		{"Big Sh1t", "", errNameWord},
		{"PD", "", errNameWord},
		{"Salope du 12", "", errNameWord},
		{"Huddle Admin", "", errNameWord},
	}
	for _, tt := range tests {
		got, err := checkName(tt.in)
		if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
			t.Errorf("checkName(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
