package course

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/flows"
)

// batch is how many due lessons or cohorts one look handles.
const batch = 100

// Tick opens the course lessons whose time has come and ends the cohorts
// whose lessons are all over, each in its chat's turn in turns (the
// router), and issues the certificates of lessons that have one: the
// Scheduler runs it every minute. A lesson that may not open yet (a
// required lesson not run, another lesson running) is looked at again
// next time; in the quiet hours none is.
func (sv *Service) Tick(ctx context.Context, q bot.CourseQueue, turns bot.ChatQueue) error {
	if sv.quiet(sv.cfg.Clock.Now()) {
		return sv.certifyRuns(ctx, q)
	}
	due, err := q.DueCohortLessons(ctx, sv.cfg.Clock.Now(), batch)
	if err != nil {
		return err
	}
	for _, l := range due {
		done := turns.InTurn(ctx, bot.ChatKey(l.Channel, l.ChatPlatformID), func(ctx context.Context) error {
			return q.Update(ctx, func(tx bot.Tx) error { return sv.open(tx, l) })
		})
		if err := <-done; err != nil {
			return fmt.Errorf("open lesson %s of cohort %d: %w", l.LessonID, l.CohortID, err)
		}
	}
	ending, err := q.CohortsToEnd(ctx, batch)
	if err != nil {
		return err
	}
	for _, h := range ending {
		done := turns.InTurn(ctx, bot.ChatKey(h.Channel, h.ChatPlatformID), func(ctx context.Context) error {
			return q.Update(ctx, func(tx bot.Tx) error { return sv.end(tx, h.ID) })
		})
		if err := <-done; err != nil {
			return fmt.Errorf("end cohort %d: %w", h.ID, err)
		}
	}
	return sv.certifyRuns(ctx, q)
}

// certifyRuns issues the certificates of the lessons with one whose runs
// finished since the last look. A process starting anew looks at every
// finished run again (each member's certificate is issued once).
func (sv *Service) certifyRuns(ctx context.Context, q bot.CourseQueue) error {
	var ids []string
	for _, l := range sv.cfg.Lessons().All() {
		if l.Certificate {
			ids = append(ids, l.ID)
		}
	}
	sv.mu.Lock()
	after := sv.certAfter
	sv.mu.Unlock()
	for {
		runs, err := q.DoneRuns(ctx, ids, after, batch)
		if err != nil || len(runs) == 0 {
			return err
		}
		for _, run := range runs {
			if err := q.Update(ctx, func(tx bot.Tx) error { return sv.lessonCertificates(tx, run) }); err != nil {
				return fmt.Errorf("certificates of run %d: %w", run.ID, err)
			}
			after = run.ID
			sv.mu.Lock()
			sv.certAfter = after
			sv.mu.Unlock()
		}
		if len(runs) < batch {
			return nil
		}
	}
}

// RunEnded acts on a run the moment it finishes, in the transaction that
// finishes it: the lesson's certificates, when it gives one, and the end
// of the cohort whose last lesson it was (the group's summary, each
// member's result and certificate), rather than at the next look. The
// looks stay, for what a process that stopped meanwhile left.
func (sv *Service) RunEnded(tx Tx, run bot.Run) error {
	if err := sv.lessonCertificates(tx, run); err != nil {
		return err
	}
	cohorts, err := tx.ChatCohorts(run.ChatID)
	if err != nil {
		return err
	}
	for _, h := range cohorts {
		if !h.Ended.IsZero() {
			continue
		}
		lessons, err := tx.CohortLessons(h.ID)
		if err != nil {
			return err
		}
		for _, l := range lessons {
			if l.RunID == run.ID {
				return sv.end(tx, h.ID)
			}
		}
	}
	return nil
}

// quiet reports whether now is in the program's quiet hours.
func (sv *Service) quiet(now time.Time) bool { return sv.cfg.Quiet.Has(now, sv.cfg.Location) }

// open opens cohort lesson l in its group, if it may open now.
func (sv *Service) open(tx bot.EngineTx, l bot.CohortLesson) error {
	now := sv.cfg.Clock.Now()
	h, err := tx.CohortByID(l.CohortID)
	if err != nil || !h.Ended.IsZero() {
		return err
	}
	lessons, err := tx.CohortLessons(h.ID)
	if err != nil {
		return err
	}
	var cur *bot.CohortLesson
	for i := range lessons {
		if lessons[i].LessonID == l.LessonID {
			cur = &lessons[i]
		}
	}
	if cur == nil || cur.RunID != 0 || cur.Opens.After(now) || sv.quiet(now) {
		return nil
	}
	c, ok := sv.cfg.Lessons().Course(h.CourseID)
	if ok {
		if i, ok := c.Index(l.LessonID); ok && !ran(lessons, c.Lessons[i].Requires) {
			return nil // a required lesson has not run yet
		}
	}
	if _, err := tx.ActiveRun(h.ChatID); err == nil {
		return nil // another lesson is running: this one follows it
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	info, known := sv.cfg.Engine.Lesson(l.LessonID, "")
	if !known || info.Mode != flows.ModeGroup {
		sv.cfg.Logger.Debug("course lesson waits: the lesson is not loaded as a group lesson", "lesson", l.LessonID, "cohort", h.ID)
		return nil
	}
	chat, err := tx.ChatByID(h.ChatID)
	if err != nil {
		return err
	}
	name := h.CourseID
	if ok {
		name = c.Name(chat.Lang)
	}
	head := bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Key: fmt.Sprintf("course:%d:%s", h.ID, l.LessonID),
		Text: sv.tr(chat.Lang, "course_lesson", name, cur.Position+1, len(lessons))}
	if err := tx.Enqueue(head, now); err != nil {
		return err
	}
	s := bot.Session{Chat: chat, Member: bot.Member{ID: h.StartedBy}, Lang: chat.Lang, Now: now,
		Event: bot.Event{ID: fmt.Sprintf("course:%d:%s", h.ID, l.LessonID), Channel: chat.Channel, ChatID: chat.PlatformID, ChatType: chat.Type}}
	runID, err := sv.cfg.Engine.Start(tx, s, l.LessonID)
	if err != nil {
		return err
	}
	_, err = tx.OpenCohortLesson(h.ID, l.LessonID, runID)
	return err
}

// ran reports whether each of the lessons ids has opened and is over.
func ran(lessons []bot.CohortLesson, ids []string) bool {
	for _, id := range ids {
		for _, l := range lessons {
			if l.LessonID == id && (l.RunID == 0 || l.RunStatus == bot.RunActive) {
				return false
			}
		}
	}
	return true
}

// end ends cohort id once its lessons are all over (outside quiet hours):
// the group hears how many passed, and each member who passed hears so
// privately.
func (sv *Service) end(tx Tx, id int64) error {
	now := sv.cfg.Clock.Now()
	if sv.quiet(now) {
		return nil
	}
	h, err := tx.CohortByID(id)
	if err != nil || !h.Ended.IsZero() {
		return err
	}
	lessons, err := tx.CohortLessons(h.ID)
	if err != nil {
		return err
	}
	for _, l := range lessons {
		if l.RunID == 0 || l.RunStatus == bot.RunActive {
			return nil
		}
	}
	if _, err := tx.EndCohort(h.ID, now, false); err != nil {
		return err
	}
	c, ok := sv.cfg.Lessons().Course(h.CourseID)
	if !ok {
		sv.cfg.Logger.Warn("course ended, but it is no longer loaded: nobody passed it", "course", h.CourseID, "cohort", h.ID)
		return nil
	}
	results, err := sv.results(tx, c, lessons)
	if err != nil {
		return err
	}
	chat, err := tx.ChatByID(h.ChatID)
	if err != nil {
		return err
	}
	var passed []Result
	for _, r := range results {
		err := tx.SaveCourseResult(bot.CourseResult{CohortID: h.ID, MemberID: r.MemberID, Took: r.Took, Lessons: r.Lessons, Passed: r.Passed, At: now})
		if err != nil {
			return err
		}
		if r.Passed {
			passed = append(passed, r)
		}
	}
	text := sv.texts.Count(chat.Lang, "course_done", len(results), c.Name(chat.Lang), len(passed), len(results))
	if err := tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, Text: text,
		Key: fmt.Sprintf("course-done:%d", h.ID)}, now); err != nil {
		return err
	}
	for _, r := range passed {
		if err := sv.passed(tx, h, c, r, now); err != nil {
			return err
		}
	}
	return nil
}

// Result is a member's outcome in a cohort: the lessons they passed of
// those they took part in, and whether that passes the course.
type Result struct {
	MemberID int64
	Took     int
	Lessons  int
	Passed   bool
}

// results works out each member's outcome from their lesson scores.
func (sv *Service) results(tx Tx, c *flows.Course, lessons []bot.CohortLesson) ([]Result, error) {
	byMember := map[int64]*Result{}
	var order []int64
	for _, l := range lessons {
		if l.RunID == 0 {
			continue
		}
		les, _ := sv.cfg.Lessons().Get(l.LessonID)
		mark := c.Mark(les)
		rs, err := tx.RunResults(l.RunID)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			m := byMember[r.MemberID]
			if m == nil {
				m = &Result{MemberID: r.MemberID}
				byMember[r.MemberID] = m
				order = append(order, r.MemberID)
			}
			m.Took++
			if flows.Passes(r.Points, r.Max, mark) {
				m.Lessons++
			}
		}
	}
	out := make([]Result, 0, len(order))
	for _, id := range order {
		m := byMember[id]
		m.Passed = m.Lessons >= c.Needed()
		out = append(out, *m)
	}
	return out, nil
}

// passed issues member r's certificate for course c and sends it to
// them privately.
func (sv *Service) passed(tx Tx, h bot.Cohort, c *flows.Course, r Result, now time.Time) error {
	cert := bot.Certificate{MemberID: r.MemberID, CourseID: c.ID, CohortID: h.ID, Hours: c.CPDHours, Issued: now}
	return sv.issue(tx, cert, h.ChatID, c.Name, func(lang string) string {
		text := sv.texts.Count(lang, "course_passed", len(c.Lessons), c.Name(lang), r.Lessons, len(c.Lessons))
		if c.CPDHours > 0 {
			text += " " + sv.tr(lang, "course_passed_hours", sv.hours(lang, c.CPDHours))
		}
		return text
	}, fmt.Sprintf("course-passed:%d:%d", h.ID, r.MemberID), now)
}

// lessonCertificates issues the certificates of a finished run of a
// lesson with one: to each member who passed it.
func (sv *Service) lessonCertificates(tx Tx, run bot.Run) error {
	l, ok := sv.cfg.Lessons().Get(run.LessonID)
	if !ok || !l.Certificate {
		return nil
	}
	results, err := tx.RunResults(run.ID)
	if err != nil {
		return err
	}
	title := func(lang string) string { return l.Title.In(l.Lang(lang), l.Fallback()) }
	for _, r := range results {
		if !flows.Passes(r.Points, r.Max, l.PassMark) {
			continue
		}
		cert := bot.Certificate{MemberID: r.MemberID, LessonID: l.ID, RunID: run.ID, Hours: l.CPDHours, Issued: run.Finished}
		err := sv.issue(tx, cert, run.ChatID, title, func(lang string) string {
			text := sv.tr(lang, "lesson_passed", title(lang))
			if l.CPDHours > 0 {
				text += " " + sv.tr(lang, "course_passed_hours", sv.hours(lang, l.CPDHours))
			}
			return text
		}, fmt.Sprintf("lesson-passed:%d:%d", run.ID, r.MemberID), sv.cfg.Clock.Now())
		if err != nil {
			return err
		}
	}
	return nil
}
