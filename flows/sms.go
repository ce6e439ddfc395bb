package flows

import "github.com/huddlebot/huddle/smstext"

// SMSCost is what the lesson costs a member by SMS in lang: the segments
// of the messages of its steps (a question with its options numbered, as
// an SMS channel sends it; wait, goto, branch and escalate steps send
// members nothing), and whether any of them goes in UCS-2. The verdicts
// and summaries that answers bring, and a step's picture, sound or video,
// are not counted.
func (l *Lesson) SMSCost(lang string) (segments int, ucs2 bool) {
	for i := range l.Steps {
		p := l.Preview(i, lang)
		switch p.Kind {
		case "wait", "goto", "branch", "escalate":
			continue
		}
		if p.Text == "" && len(p.Options) == 0 {
			continue
		}
		c := smstext.Measure(smstext.Numbered(p.Text, p.Options))
		segments += c.Segments
		ucs2 = ucs2 || c.Encoding == smstext.UCS2
	}
	return segments, ucs2
}
