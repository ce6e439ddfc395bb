package flows

import "github.com/huddlebot/huddle/smstext"

// SMSCost is what the lesson costs a member by SMS in lang: the segments
// of the messages of its steps as an SMS channel sends them (a question
// with its options numbered, the symbols that open lines left out:
// smstext.Plain), each on its own (a channel may join short ones in
// one SMS, which costs less); wait, goto, branch and escalate steps send
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
		c := smstext.Measure(smstext.Plain(smstext.Numbered(p.Text, p.Options)))
		segments += c.Segments
		ucs2 = ucs2 || c.Encoding == smstext.UCS2
	}
	return segments, ucs2
}
