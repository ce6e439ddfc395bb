package flows

import (
	"slices"

	"github.com/huddlebot/huddle/smstext"
)

// SMSCost is what the lesson costs a member by SMS in lang: the segments
// of the messages of its steps as an SMS channel sends them (a question
// with its options numbered and how to answer it, typed, in the built-in
// words; the symbols that open lines left out: smstext.Plain), each on
// its own (a channel may join short ones in one SMS, which costs less);
// wait, goto, branch and escalate steps send members nothing), and the
// characters outside the GSM alphabet that put a message in UCS-2, each
// once, in the order met ("" when every message is GSM-7): an author who
// sees "µ" can write "mcg". The verdicts and summaries that answers
// bring, and a step's picture, sound or video, are not counted.
func (l *Lesson) SMSCost(lang string) (segments int, wide string) {
	var seen []rune
	texts := builtinTexts()
	for i := range l.Steps {
		p := l.Preview(i, lang)
		switch p.Kind {
		case "wait", "goto", "branch", "escalate":
			continue
		}
		if p.Text == "" && len(p.Options) == 0 {
			continue
		}
		text := smstext.Numbered(p.Text, p.Options)
		if q, ok := l.Steps[i].body.(*quizStep); ok {
			text += "\n\n" + texts.Text(l.Lang(lang), q.typedHint())
		}
		text = smstext.Plain(text)
		segments += smstext.Measure(text).Segments
		for _, r := range text {
			if !smstext.InGSM(r) && !slices.Contains(seen, r) {
				seen = append(seen, r)
			}
		}
	}
	return segments, string(seen)
}
