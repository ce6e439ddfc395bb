package store

import "testing"

// TestReplaceWords: a forgotten member's names and ids are replaced where
// they stand as words, whatever their case, and nowhere else.
func TestReplaceWords(t *testing.T) {
	re := wordsRe(nameNeedles(memberNames{name: "Zawadi Wekesa", pseudonym: "Member-4821", ids: []string{"254722123456", "77"}}))
	for _, tt := range []struct{ in, want string }{
		{"Ask Zawadi Wekesa.", "Ask a former member."},
		{"ZAWADI WEKESA had one", "a former member had one"},
		{"Wekesa's ward, and zawadi too", "a former member's ward, and a former member too"},
		{"Member-4821 said so", "a former member said so"},
		{"call 254722123456 now", "call a former member now"},
		{"Zawadiya and Wekesas are others", "Zawadiya and Wekesas are others"},
		{"room 77 is free", "room 77 is free"}, // ids shorter than five are no needles
		{"Élodie and Zawadi", "Élodie and a former member"},
	} {
		got, _ := replaceWords(tt.in, re, FormerMember)
		if got != tt.want {
			t.Errorf("replaceWords(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
