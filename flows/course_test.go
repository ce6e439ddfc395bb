package flows

import (
	"os"
	"testing"
	"time"
)

// TestCourses loads a folder of lessons and courses: the good course is
// read whole, and every problem of the broken ones is reported at its
// line (compared with testdata/courses.txt), none of them loaded.
func TestCourses(t *testing.T) {
	lib, err := Load(os.DirFS("testdata/courses"), ".", "courses")
	ps, ok := IsProblems(err)
	if !ok {
		t.Fatalf("error %v is not a list of problems", err)
	}
	golden(t, "testdata/courses.txt", ps.Error()+"\n")
	var ids []string
	for _, c := range lib.Courses() {
		ids = append(ids, c.ID)
	}
	if len(ids) != 1 || ids[0] != "good" {
		t.Fatalf("courses loaded: %v, want only good", ids)
	}
	c, _ := lib.Course("good")
	want := []CourseLesson{
		{Lesson: "one", Day: 0, At: 9 * 60, Line: 7},
		{Lesson: "two", Date: "2027-01-11", At: 14*60 + 30, Requires: []string{"one"}, Line: 9},
	}
	if len(c.Lessons) != 2 {
		t.Fatalf("lessons %+v", c.Lessons)
	}
	for i, w := range want {
		g := c.Lessons[i]
		if g.Lesson != w.Lesson || g.Day != w.Day || g.Date != w.Date || g.At != w.At || g.Line != w.Line || len(g.Requires) != len(w.Requires) {
			t.Errorf("lesson %d: %+v, want %+v", i, g, w)
		}
	}
	if c.CPDHours != 1.5 || c.Pass.Lessons != 1 || c.Pass.Mark != 0.5 || c.Needed() != 1 || c.Name("fr") != "Un bon cours" {
		t.Errorf("course %+v", c)
	}
	if _, ok := lib.Get("one"); !ok {
		t.Error("the lessons were not loaded beside the courses")
	}
	schema := compileSchema(t)
	for name, valid := range map[string]bool{"good.yaml": true, "bad.yaml": false, "both.yaml": false} {
		data, err := os.ReadFile("testdata/courses/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(yamlToJSON(t, data)); (err == nil) != valid {
			t.Errorf("%s: the schema says %v", name, err)
		}
	}
}

// TestOpens: a lesson opens on its day at its hour in the program's time
// zone, on its fixed date, and never before the cohort started.
func TestOpens(t *testing.T) {
	nairobi := time.FixedZone("EAT", 3*3600)
	c := &Course{Lessons: []CourseLesson{
		{Lesson: "a", Day: 0, At: 9 * 60},
		{Lesson: "b", Day: 7, At: 9 * 60},
		{Lesson: "c", Date: "2027-01-11", At: 14*60 + 30},
	}}
	tests := []struct {
		name  string
		start time.Time
		i     int
		want  time.Time
	}{
		{"day 0, before its hour", time.Date(2027, 1, 4, 5, 0, 0, 0, nairobi), 0, time.Date(2027, 1, 4, 9, 0, 0, 0, nairobi)},
		{"day 0, after its hour: at once", time.Date(2027, 1, 4, 11, 0, 0, 0, nairobi), 0, time.Date(2027, 1, 4, 11, 0, 0, 0, nairobi)},
		{"a week on, local day", time.Date(2027, 1, 3, 22, 30, 0, 0, time.UTC), 1, time.Date(2027, 1, 11, 9, 0, 0, 0, nairobi)},
		{"fixed date", time.Date(2027, 1, 4, 5, 0, 0, 0, nairobi), 2, time.Date(2027, 1, 11, 14, 30, 0, 0, nairobi)},
		{"fixed date passed: at once", time.Date(2027, 2, 1, 8, 0, 0, 0, nairobi), 2, time.Date(2027, 2, 1, 8, 0, 0, 0, nairobi)},
	}
	for _, tt := range tests {
		if got := c.Opens(tt.i, tt.start, nairobi); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
