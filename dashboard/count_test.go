package dashboard

import "testing"

// TestCount: a count is singular for one, in lessons and CPD hours.
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    any
		want string
	}{
		{1, "1 lesson"}, {2, "2 lessons"}, {0, "0 lessons"}, {1.0, "1 lesson"}, {1.5, "1.5 lessons"},
	} {
		if got := count(tc.n, "lesson", "lessons"); got != tc.want {
			t.Errorf("count(%v) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
