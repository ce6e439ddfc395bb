package flows

import (
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	nairobi, _ := time.LoadLocation("Africa/Nairobi")
	paris, _ := time.LoadLocation("Europe/Paris")
	mwf := &Schedule{At: "08:30", Days: []string{"mon", "wed", "fri"}}
	daily := &Schedule{At: "02:30"}
	tests := []struct {
		name  string
		s     *Schedule
		after string // in loc
		loc   *time.Location
		want  string
	}{
		{"later the same day", mwf, "2026-03-02 07:00", nairobi, "2026-03-02 08:30"}, // a Monday
		{"at the very time: the next slot", mwf, "2026-03-02 08:30", nairobi, "2026-03-04 08:30"},
		{"over the weekend", mwf, "2026-03-06 09:00", nairobi, "2026-03-09 08:30"},
		{"every day", daily, "2026-03-02 03:00", nairobi, "2026-03-03 02:30"},
		{"a skipped hour (Paris, last Sunday of March)", daily, "2026-03-28 12:00", paris, "2026-03-29 03:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after, _ := time.ParseInLocation("2006-01-02 15:04", tt.after, tt.loc)
			got := tt.s.Next(after, tt.loc).In(tt.loc).Format("2006-01-02 15:04")
			if got != tt.want {
				t.Errorf("Next(%s) = %s; want %s", tt.after, got, tt.want)
			}
		})
	}
}
