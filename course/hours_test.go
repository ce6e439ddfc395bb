package course

import "testing"

// TestHoursInWords: CPD hours take the plural form of their count in
// each language: one hour is singular, a fraction is not in English,
// and Swahili agrees its connective (ya, za) with the number.
func TestHoursInWords(t *testing.T) {
	sv := New(Config{})
	for _, tc := range []struct {
		lang string
		h    float64
		want string
	}{
		{"en", 1, "1 CPD hour"},
		{"en", 1.5, "1.5 CPD hours"},
		{"en", 3, "3 CPD hours"},
		{"fr", 1, "1 heure de DPC"},
		{"fr", 2, "2 heures de DPC"},
		{"sw", 1, "saa 1 ya CPD"},
		{"sw", 4, "saa 4 za CPD"},
		{"pt", 1, "1 hora de DPC"},
		{"es", 2, "2 horas de DPC"},
	} {
		if got := sv.hours(tc.lang, tc.h); got != tc.want {
			t.Errorf("hours(%s, %v) = %q, want %q", tc.lang, tc.h, got, tc.want)
		}
	}
}
