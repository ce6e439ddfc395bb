package flows

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// parseChoice reads the chosen options from a press or a reply. submit is
// a press of Done.
func (q *quizStep) parseChoice(c *runCtx, in Input) (picks []int, submit, ok bool) {
	if in.Kind == InputVote {
		for _, d := range in.Choices {
			_, _, choice, _ := parseOptionData(d)
			if choice == "s" {
				submit = true
				continue
			}
			n, err := strconv.Atoi(choice)
			if err != nil || n < 1 || n > len(q.options) || (!q.multi && len(picks) > 0) {
				return nil, false, false
			}
			picks = append(picks, n-1)
		}
		return picks, submit, true
	}
	if in.Kind == InputOption {
		_, _, choice, _ := parseOptionData(in.Option)
		if choice == "s" && q.multi {
			return nil, true, true
		}
		n, err := strconv.Atoi(choice)
		if err != nil || n < 1 || n > len(q.options) {
			return nil, false, false
		}
		return []int{n - 1}, false, true
	}
	picks, ok = q.typedChoice(in.Text)
	return picks, false, ok
}

// typedChoice reads the options a typed reply chooses: an option's own
// text, or numbers or letters ("2", "B", "1 3" for multi-select).
func (q *quizStep) typedChoice(text string) (picks []int, ok bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, false
	}
	// The option's own text, in any of the lesson's languages.
	norm := normalizeAnswer(text)
	for i, o := range q.options {
		for _, t := range o.text {
			if normalizeAnswer(t) == norm {
				return []int{i}, true
			}
		}
	}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '+' })
	if len(fields) == 0 || (!q.multi && len(fields) > 1) || len(fields) > len(q.options) {
		return nil, false
	}
	for _, f := range fields {
		i, ok := q.optionIndex(strings.TrimSuffix(strings.TrimSuffix(f, "."), ")"))
		if !ok {
			return nil, false
		}
		picks = append(picks, i)
	}
	return picks, true
}

// optionIndex reads "2" or "B" as an option index.
func (q *quizStep) optionIndex(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n - 1, n >= 1 && n <= len(q.options)
	}
	if len(s) == 1 {
		r := unicode.ToUpper(rune(s[0]))
		if r >= 'A' && int(r-'A') < len(q.options) {
			return int(r - 'A'), true
		}
	}
	return 0, false
}

func joinPicks(picks []int) string {
	parts := make([]string, len(picks))
	for i, p := range picks {
		parts[i] = strconv.Itoa(p + 1)
	}
	return strings.Join(parts, ",")
}

// parseNumber reads a reply that starts with a number: "20", "20.5",
// "20,5", "20/min".
func parseNumber(s string) (float64, bool) {
	v, _, ok := leadingNumber(s)
	return v, ok
}

// leadingNumber reads the number s starts with (spaces trimmed), and
// returns what follows it.
func leadingNumber(s string) (v float64, rest string, ok bool) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || s[end] == ',' || (end == 0 && (s[end] == '-' || s[end] == '+'))) {
		end++
	}
	if end == 0 {
		return 0, "", false
	}
	v, err := strconv.ParseFloat(strings.Replace(s[:end], ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", false
	}
	return v, strings.TrimSpace(s[end:]), true
}

// groupNumber reads a reply in a group that is a number, with at most a
// short unit after it ("20", "20/min", "20 per minute", "37.5 °C"): a
// message that merely starts with one ("2 patients waiting, back soon")
// is talk in the group, not an answer (in private any reply starting with
// a number is taken, as parseNumber does).
func groupNumber(s string) (float64, bool) {
	v, rest, ok := leadingNumber(s)
	if !ok || len(strings.Fields(rest)) > 2 || strings.ContainsAny(rest, ",;!?") {
		return 0, false
	}
	return v, true
}
