package terms

import (
	"slices"
	"testing"
)

func TestOf(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		want       []string
	}{
		{"en", "She bled heavily after the birth; the bleeding did not stop.", []string{"bled", "heavili", "birth", "bleed", "stop"}},
		{"en", "Patient, 24 years old, came today: fever!", []string{"fever"}},
		{"fr", "Saignements abondants après l'accouchement, hémorragie.", []string{"saign", "abond", "apres", "accouch", "hemorrag"}},
		{"pt", "Hemorragia depois do parto; sangramento intenso.", []string{"hemorrag", "depo", "part", "sangrament", "intens"}},
		{"es", "Hemorragia después del parto, sangrado abundante.", []string{"hemorragi", "despues", "part", "sangr", "abund"}},
		// Swahili has no stemmer: its words whole, less its stop words.
		{"sw", "Mama alitokwa na damu nyingi baada ya kujifungua.", []string{"mama", "alitokwa", "damu", "nyingi", "kujifungua"}},
		{"pt-BR", "Febre alta", []string{"febr", "alta"}},
	} {
		if got := Of(c.text, c.lang); !slices.Equal(got, c.want) {
			t.Errorf("Of(%q, %s) = %q, want %q", c.text, c.lang, got, c.want)
		}
	}
	if got, want := Written("Hémorragie après l'accouchement", "fr"), []string{"hémorrag", "apres", "accouch"}; !slices.Equal(got, want) {
		t.Errorf("Written = %q, want %q: the stems with their accents", got, want)
	}
	if !Stems("fr") || Stems("sw") {
		t.Error("French has a stemmer and Swahili none")
	}
	if n := Shared(Of("bleeding after birth", "en"), Of("She bled heavily after the birth; the bleeding did not stop.", "en")); n != 2 {
		t.Errorf("shared %d terms, want 2 (bleed, birth)", n)
	}
}
