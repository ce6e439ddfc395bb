package flows

import (
	"fmt"
	"strings"
)

// engineTexts are the engine's own words, by language; English is the
// fallback for languages not listed.
var engineTexts = map[string]map[string]string{
	"en": {
		"correct":         "✅ %scorrect!",
		"wrong":           "❌ %snot quite. The answer: %s.",
		"already":         "%syou have answered this one already.",
		"pick_hint":       "Choose one: reply with its number or press it.",
		"multi_hint":      "Choose all that apply, then press Done (or reply with the numbers, such as 1 3).",
		"numeric_hint":    "Reply with a number.",
		"text_hint":       "Reply with your answer.",
		"bad_choice":      "Please answer with a number from 1 to %d.",
		"bad_choices":     "Please answer with the numbers of your choices, from 1 to %d, such as 1 3.",
		"bad_number":      "Please answer with a number.",
		"done_button":     "✔ Done",
		"picked":          "%spicked %s.",
		"all_answered":    "Everyone has answered: %d of %d correct.",
		"the_answer":      "The answer: %s.",
		"closed_early":    "⏩ %d of %d have answered, so the question closes: %d correct.",
		"most_wrong":      "Chosen wrongly most (%d times): %s.",
		"time_up":         "⏱ Time is up: %d answered, %d correct.",
		"time_up_direct":  "⏱ Time is up. The answer: %s.",
		"thanks":          "🙏 Thanks%s.",
		"score":           "Your score: %s/%s (%d%%).",
		"passed":          "Passed.",
		"not_passed":      "Not passed yet: you can take the lesson again.",
		"group_done":      "Members who took part: %d. Send /progress to see your score.",
		"group_done_pass": "Members who took part: %d; passed: %d. Send /progress to see your score.",
		"stopped":         "⏹ %s stopped.",
		"runaway":         "⚠️ %s stopped: it went round in a loop without waiting. Please tell the lesson's author.",
		"describe":        "%s (step %d of %d)",
		"discuss":         "🗣 %s",
	},
	"fr": {
		"correct":         "✅ %sbonne réponse !",
		"wrong":           "❌ %spas tout à fait. La réponse : %s.",
		"already":         "%svous avez déjà répondu à celle-ci.",
		"pick_hint":       "Choisissez : répondez par le numéro ou appuyez dessus.",
		"multi_hint":      "Choisissez toutes les bonnes réponses, puis appuyez sur Terminé (ou répondez par les numéros, par exemple 1 3).",
		"numeric_hint":    "Répondez par un nombre.",
		"text_hint":       "Répondez par votre réponse.",
		"bad_choice":      "Répondez par un numéro de 1 à %d.",
		"bad_choices":     "Répondez par les numéros de vos choix, de 1 à %d, par exemple 1 3.",
		"bad_number":      "Répondez par un nombre.",
		"done_button":     "✔ Terminé",
		"picked":          "%sa choisi %s.",
		"all_answered":    "Tout le monde a répondu : %d sur %d justes.",
		"the_answer":      "La réponse : %s.",
		"closed_early":    "⏩ %d sur %d ont répondu, la question se ferme : %d justes.",
		"most_wrong":      "Le mauvais choix le plus fréquent (%d fois) : %s.",
		"time_up":         "⏱ Temps écoulé : %d réponses, %d justes.",
		"time_up_direct":  "⏱ Temps écoulé. La réponse : %s.",
		"thanks":          "🙏 Merci%s.",
		"score":           "Votre score : %s/%s (%d %%).",
		"passed":          "Réussi.",
		"not_passed":      "Pas encore réussi : vous pouvez reprendre la leçon.",
		"group_done":      "Membres ayant participé : %d. Envoyez /progress pour voir votre score.",
		"group_done_pass": "Membres ayant participé : %d ; réussi : %d. Envoyez /progress pour voir votre score.",
		"stopped":         "⏹ %s arrêtée.",
		"runaway":         "⚠️ %s arrêtée : elle tournait en boucle sans attendre. Prévenez l'auteur de la leçon.",
		"describe":        "%s (étape %d sur %d)",
		"discuss":         "🗣 %s",
	},
}

// engineText returns the engine's text for key in lang, formatted.
func engineText(lang, key string, args ...any) string {
	m, ok := engineTexts[lang]
	if !ok {
		m = engineTexts["en"]
	}
	s, ok := m[key]
	if !ok {
		s = engineTexts["en"][key]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// capitalize upper-cases the first letter, for texts that may start with
// an empty name slot.
func capitalize(s string) string {
	for i, r := range s {
		if r >= 'a' && r <= 'z' {
			return s[:i] + strings.ToUpper(string(r)) + s[i+1:]
		}
		if r != ' ' && r < 0x80 {
			return s
		}
	}
	return s
}
