package bot

import "time"

// Hours are a daily span of time, From to To minutes after midnight in
// a time zone; when From is after To the span wraps past midnight (21:00
// to 07:00). From equal to To is no span at all.
type Hours struct {
	From, To int
}

// QuietHours are Huddle's default quiet hours: 21:00 to 07:00.
var QuietHours = Hours{From: 21 * 60, To: 7 * 60}

// Has reports whether t, read in loc, falls within the hours.
func (h Hours) Has(t time.Time, loc *time.Location) bool {
	if h.From == h.To {
		return false
	}
	local := t.In(loc)
	m := local.Hour()*60 + local.Minute()
	if h.From < h.To {
		return m >= h.From && m < h.To
	}
	return m >= h.From || m < h.To
}
