package smstext

import (
	"strings"
	"testing"
)

func TestMeasure(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	l := func(n int) string { return strings.Repeat("ł", n) } // not in GSM-7
	for _, c := range []struct {
		name string
		text string
		want Count
	}{
		{"empty", "", Count{GSM7, 0, 0}},
		{"hello", "Hello", Count{GSM7, 5, 1}},
		{"one full segment", a(160), Count{GSM7, 160, 1}},
		{"one over", a(161), Count{GSM7, 161, 2}},
		{"two full parts", a(306), Count{GSM7, 306, 2}},
		{"a third part", a(307), Count{GSM7, 307, 3}},
		// The extension table's characters take two septets each.
		{"euros filling a segment", strings.Repeat("€", 80), Count{GSM7, 160, 1}},
		{"one euro too many", strings.Repeat("€", 81), Count{GSM7, 162, 2}},
		{"brackets and a caret", "[x]^{y}", Count{GSM7, 12, 1}},
		// An escape and its character stay in one part: 152 septets, then
		// "€" (2) does not fit the first part's last septet.
		{"escape not split", a(152) + "€" + a(152), Count{GSM7, 306, 3}},
		// The alphabet's accents: é, ñ, ü, à and Ç are in it; ç, á, ê,
		// ã are not.
		{"Spanish í is not in GSM-7", "¿Señal? ¡Sí!", Count{UCS2, 12, 1}},
		{"French é in GSM-7", "Bébé né à terme", Count{GSM7, 15, 1}},
		{"French ç is not", "Reçu", Count{UCS2, 4, 1}},
		{"Portuguese ã is not", "Mão", Count{UCS2, 3, 1}},
		// One emoji turns a text into UCS-2, and takes two code units.
		{"one emoji", "Hello 👋", Count{UCS2, 8, 1}},
		{"UCS-2 full segment", l(70), Count{UCS2, 70, 1}},
		{"UCS-2 one over", l(71), Count{UCS2, 71, 2}},
		{"UCS-2 two full parts", l(134), Count{UCS2, 134, 2}},
		// An emoji's two code units stay in one part.
		{"surrogates not split", l(66) + "👋" + l(66), Count{UCS2, 134, 3}},
		{"Swahili in GSM-7", "Habari za asubuhi, wauguzi wote.", Count{GSM7, 32, 1}},
	} {
		if got := Measure(c.text); got != c.want {
			t.Errorf("%s: Measure = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestNumbered(t *testing.T) {
	got := Numbered("Which moment comes before touching a patient?", []string{"Moment 1", "Moment 4"})
	if want := "Which moment comes before touching a patient?\n1. Moment 1\n2. Moment 4"; got != want {
		t.Errorf("Numbered = %q, want %q", got, want)
	}
	// A quiz's text lists its options, labelled with their numbers.
	quiz := "Which is a danger sign?\n1. Fast breathing\n2. Sneezing\n\nChoose one: reply with its number."
	if got := Numbered(quiz, []string{"1. Fast breathing", "2. Sneezing"}); got != quiz {
		t.Errorf("Numbered said a quiz's options twice: %q", got)
	}
	if got := Numbered("Do you accept?", []string{"1. I accept", "No thanks"}); got != "Do you accept?\n1. I accept\n2. No thanks" {
		t.Errorf("Numbered numbered a numbered label again: %q", got)
	}
	if got := Numbered("Thanks", nil); got != "Thanks" {
		t.Errorf("Numbered without options = %q", got)
	}
}

// TestPlain: the symbols that open lines go, with their space; an emoji
// inside a sentence, and letters outside GSM-7, stay.
func TestPlain(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"📘 Danger signs\n\nCount breaths.", "Danger signs\n\nCount breaths."},
		{"❓ Which is a danger sign?\n1. Fast breathing", "Which is a danger sign?\n1. Fast breathing"},
		{"✅ Correct!", "Correct!"},
		{"❤️ Love", "Love"},
		{"👩🏽‍⚕️ Nurse Amina", "Nurse Amina"},
		{"Well done, everyone 👏 Hand hygiene.", "Well done, everyone 👏 Hand hygiene."},
		{"🎓", "🎓"},
		{"Vérifiez le fond utérin.", "Vérifiez le fond utérin."},
		{"€ 5 for airtime", "€ 5 for airtime"},
	} {
		got := Plain(c.in)
		if got != c.want {
			t.Errorf("Plain(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if Measure(Plain("📚 Newborn care by SMS: lesson 1 of 2.")).Encoding != GSM7 {
		t.Error("a decorated English line stays UCS-2")
	}
}
