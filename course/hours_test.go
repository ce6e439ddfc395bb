package course

import (
	"testing"

	"github.com/huddlebot/huddle/flows"
)

// TestHoursInWords: CPD hours take the plural form of their count in
// each language: one hour is singular, a fraction is not in English,
// and Swahili agrees its connective (ya, za) with the number.
func TestHoursInWords(t *testing.T) {
	sv := New(Config{})
	for _, tc := range []struct {
		lang string
		h    float64
		want string
	}{
		{"en", 1, "1 CPD hour"},
		{"en", 1.5, "1.5 CPD hours"},
		{"en", 3, "3 CPD hours"},
		{"fr", 1, "1 heure de DPC"},
		{"fr", 2, "2 heures de DPC"},
		{"sw", 1, "saa 1 ya CPD"},
		{"sw", 4, "saa 4 za CPD"},
		{"pt", 1, "1 hora de DPC"},
		{"es", 2, "2 horas de DPC"},
	} {
		if got := sv.hours(tc.lang, tc.h); got != tc.want {
			t.Errorf("hours(%s, %v) = %q, want %q", tc.lang, tc.h, got, tc.want)
		}
	}
}

// TestCountsInWords: a course's rule, its end in the group and a member's
// pass take the plural form of their total in each language, so a course
// of one lesson is not "all 1 lessons" and a group of one is not "the 1
// members".
func TestCountsInWords(t *testing.T) {
	sv := New(Config{})
	one := &flows.Course{Lessons: []flows.CourseLesson{{Lesson: "a"}}}
	two := &flows.Course{Lessons: []flows.CourseLesson{{Lesson: "a"}, {Lesson: "b"}}}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"rule en 1", sv.rule(one, "en"), "To pass, take part in its 1 lesson and pass it."},
		{"rule en 2", sv.rule(two, "en"), "To pass, take part in and pass all 2 lessons."},
		{"rule fr 1", sv.rule(one, "fr"), "Pour le réussir, participez à sa 1 leçon et réussissez-la."},
		{"rule sw 2", sv.rule(two, "sw"), "Ili kufaulu, shiriki na ufaulu masomo yote 2."},
		{"done en 1", sv.texts.Count("en", "course_done", 1, "X", 1, 1), "🎓 The course X is over. 1 of the 1 member who took part passed; they hear so privately."},
		{"done en 3", sv.texts.Count("en", "course_done", 3, "X", 2, 3), "🎓 The course X is over. 2 of the 3 members who took part passed; each hears so privately."},
		{"done pt 1", sv.texts.Count("pt", "course_done", 1, "X", 0, 1), "🎓 O curso X terminou. 0 de 1 membro que participou foi aprovado; é informado em privado."},
		{"passed es 1", sv.texts.Count("es", "course_passed", 1, "X", 1, 1), "🎓 Has aprobado X: 1 de su 1 lección aprobada."},
		{"passed es 2", sv.texts.Count("es", "course_passed", 2, "X", 2, 2), "🎓 Has aprobado X: 2 de sus 2 lecciones aprobadas."},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
