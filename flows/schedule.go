package flows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// dayNames maps a schedule's day names to weekdays.
var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Next returns the first start strictly after after, in loc: the
// schedule's time of day on one of its days (every day when none are
// given). Clocks that skip the hour (daylight saving) move the start to
// the next valid time, as time.Date does.
func (s *Schedule) Next(after time.Time, loc *time.Location) time.Time {
	var hh, mm int
	fmt.Sscanf(s.At, "%d:%d", &hh, &mm)
	local := after.In(loc)
	for d := 0; d <= 7; d++ {
		day := local.AddDate(0, 0, d)
		at := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
		if !at.After(after) || !s.on(at.Weekday()) {
			continue
		}
		return at
	}
	return time.Time{} // unreachable for a valid schedule
}

func (s *Schedule) on(d time.Weekday) bool {
	if len(s.Days) == 0 {
		return true
	}
	return slices.ContainsFunc(s.Days, func(n string) bool { return dayNames[n] == d })
}

// String describes the schedule: "mon, wed, fri at 08:30", "every day at
// 08:30".
func (s *Schedule) String() string {
	if len(s.Days) == 0 {
		return "every day at " + s.At
	}
	return strings.Join(s.Days, ", ") + " at " + s.At
}
