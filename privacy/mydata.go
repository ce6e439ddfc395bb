package privacy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// DataFormat names the layout of the file /mydata sends, so a program or
// another service reading it knows which fields to expect.
const DataFormat = "huddle-mydata/1"

// myData answers /mydata, privately: a readable account of everything
// Huddle holds about the member, then all of it as a JSON file. Both
// messages leave the outbox once sent.
func (g *rights) myData(tx Tx, s bot.Session) error {
	if s.Chat.Type != bot.Direct {
		return bot.Reply(tx, s, "mydata", g.tr(s.Lang, "mydata_private"))
	}
	d, err := tx.MemberData(s.Member.ID)
	if err != nil {
		return err
	}
	file, err := dataFile(d, s.Now, g.consent != nil)
	if err != nil {
		return err
	}
	summary := bot.ReplyMessage(s, "mydata", g.summary(s.Lang, d))
	summary.Transient = true
	if err := tx.Enqueue(summary, s.Now); err != nil {
		return err
	}
	m := bot.ReplyMessage(s, "mydata-file", g.tr(s.Lang, "mydata_file"))
	m.Transient = true
	m.File = &bot.File{Name: "huddle-mydata-" + s.Now.In(g.loc).Format("2006-01-02") + ".json", MIMEType: "application/json", Data: file}
	return tx.Enqueue(m, s.Now)
}

// summary is /mydata's readable account of d.
func (g *rights) summary(lang string, d bot.MemberData) string {
	m := d.Member
	var b strings.Builder
	b.WriteString(g.tr(lang, "mydata_head"))
	line := func(key string, args ...any) { b.WriteString("\n• " + g.tr(lang, key, args...)) }
	line("mydata_profile", m.Name, m.Channel, m.PlatformID, m.Pseudonym)
	memberLang := g.tr(lang, "mydata_lang_none")
	if m.Lang != "" {
		if memberLang = g.languageName(m.Lang); memberLang != m.Lang {
			memberLang += " (" + m.Lang + ")"
		}
	}
	line("mydata_since", bot.ShowTime(m.Created, g.loc), memberLang)
	switch {
	case g.consent == nil:
		line("mydata_consent_off")
	case d.Consent.Status == bot.ConsentAccepted:
		line("mydata_consent", d.Consent.Version, bot.ShowTime(d.Consent.AnsweredAt, g.loc))
	default:
		line("mydata_consent_not", g.tr(lang, "consent_status_"+string(d.Consent.Status)))
	}
	var groups []string
	for _, c := range d.Chats {
		if c.Type == bot.Group {
			groups = append(groups, c.Title)
		}
	}
	if len(groups) > 0 {
		line("mydata_groups", strings.Join(groups, ", "))
	}
	answers := 0
	for _, run := range d.Runs {
		answers += len(run.Answers)
	}
	line("mydata_lessons", len(d.Runs), answers)
	line("mydata_cases", len(d.Cases)+len(d.Held), len(d.Posts))
	if len(d.Queues) > 0 {
		line("mydata_mentor", strings.Join(d.Queues, ", "), len(d.Mentored))
	}
	if len(d.Activity) > 0 {
		var parts []string
		for _, kind := range slices.Sorted(maps.Keys(d.Activity)) {
			name := g.tr(lang, "activity_"+kind)
			if name == "" {
				name = kind // a kind a later version added
			}
			parts = append(parts, fmt.Sprintf("%s %d", name, d.Activity[kind]))
		}
		line("mydata_activity", strings.Join(parts, ", "))
	}
	b.WriteString("\n\n" + g.tr(lang, "mydata_rights"))
	return b.String()
}

// The file's layout: DataFormat. Times are RFC 3339 in UTC, left out when
// unknown; texts are as stored (case texts de-identified, answers purged
// after the retention limit replaced by a placeholder).
type (
	dataDoc struct {
		Format      string `json:"format"`
		GeneratedAt string `json:"generated_at"`
		Profile     struct {
			Channel    string `json:"channel"`
			PlatformID string `json:"platform_id"`
			Alias      string `json:"alias,omitempty"`
			Name       string `json:"name"`
			Pseudonym  string `json:"pseudonym"`
			Language   string `json:"language,omitempty"`
			FirstSeen  string `json:"first_seen"`
		} `json:"profile"`
		// Consent is null where the program gathers consent outside Huddle.
		Consent         *dataConsent     `json:"consent"`
		Chats           []dataChat       `json:"chats"`
		LessonRuns      []dataRun        `json:"lesson_runs"`
		CasesShared     []dataCase       `json:"cases_shared"`
		CasesHeld       []dataCase       `json:"cases_held_for_you_to_confirm"`
		CasePosts       []dataPost       `json:"case_posts"`
		Mentoring       dataMentoring    `json:"mentoring"`
		LessonsAssigned []dataAssignment `json:"lessons_assigned"`
		CoursesStarted  []dataCourse     `json:"courses_started"`
		CourseResults   []dataResult     `json:"course_results"`
		Certificates    []dataCert       `json:"certificates"`
		Badges          []dataBadge      `json:"badges"`
		Attachments     []dataAttachment `json:"photos_and_voice_notes"`
		MarkedHelpful   []string         `json:"case_replies_marked_helpful"`
		Engagement      dataEngagement   `json:"engagement"`
		Review          dataReview       `json:"review"`
	}
	dataReview struct {
		// On is null, and Hours empty, when they never chose.
		On    *bool  `json:"on"`
		Hours string `json:"hours,omitempty"`
		// Nudges is false when they turned nudges off; NudgedAt the
		// last one.
		Nudges   bool   `json:"nudges"`
		NudgedAt string `json:"nudged_at,omitempty"`
		// TimeZone is the zone their hours are read in; CertificateName
		// the name they asked for on certificates.
		TimeZone        string `json:"time_zone,omitempty"`
		CertificateName string `json:"certificate_name,omitempty"`
		// Streaks is false when they keep their streaks out of the
		// weekly summary.
		Streaks bool             `json:"streaks_shown"`
		Cards   []dataReviewCard `json:"cards"`
		Reviews []dataReviewed   `json:"reviews"`
	}
	dataReviewCard struct {
		Lesson   string `json:"lesson"`
		Step     string `json:"step"`
		Due      string `json:"due"`
		LastSent string `json:"last_sent,omitempty"`
	}
	dataReviewed struct {
		Lesson string `json:"lesson"`
		Step   string `json:"step"`
		Right  bool   `json:"right"`
		At     string `json:"at"`
	}
	dataConsent struct {
		Status     string `json:"status"`
		Version    int    `json:"version"`
		AskedAt    string `json:"asked_at,omitempty"`
		AnsweredAt string `json:"answered_at,omitempty"`
	}
	dataChat struct {
		Title    string `json:"title"`
		Type     string `json:"type"`
		Joined   string `json:"joined"`
		LastSeen string `json:"last_seen"`
		Left     string `json:"left,omitempty"`
	}
	dataRun struct {
		Lesson       string       `json:"lesson"`
		Chat         string       `json:"chat"`
		Status       string       `json:"status"`
		StartedByYou bool         `json:"started_by_you"`
		StartedAt    string       `json:"started_at"`
		FinishedAt   string       `json:"finished_at,omitempty"`
		Answers      []dataAnswer `json:"answers"`
		// YourPart is the lesson's record of the member's part: score,
		// questions missed.
		YourPart json.RawMessage `json:"your_part,omitempty"`
	}
	dataAnswer struct {
		Step      string  `json:"step"`
		Answer    string  `json:"answer"`
		Correct   bool    `json:"correct"`
		Points    float64 `json:"points"`
		MaxPoints float64 `json:"max_points"`
		At        string  `json:"at"`
	}
	dataCase struct {
		Case    string `json:"case"`
		Chat    string `json:"chat"`
		Text    string `json:"text"`
		Status  string `json:"status"`
		Created string `json:"created_at"`
	}
	dataPost struct {
		Case string `json:"case"`
		Kind string `json:"kind"`
		Text string `json:"text"`
		At   string `json:"at"`
	}
	dataMentoring struct {
		Queues        []string `json:"queues"`
		CasesAssigned []string `json:"cases_assigned"`
		DigestSentAt  string   `json:"digest_sent_at,omitempty"`
	}
	// dataAttachment is a photo or voice note they sent, the file itself
	// in base64.
	dataAttachment struct {
		Kind     string `json:"kind"`
		Type     string `json:"type"`
		Case     string `json:"case,omitempty"`
		Caption  string `json:"caption,omitempty"`
		Status   string `json:"status"`
		SentAt   string `json:"sent_at"`
		SHA256   string `json:"sha256"`
		Contents []byte `json:"contents"`
	}
	dataBadge struct {
		Badge    string `json:"badge"`
		EarnedAt string `json:"earned_at"`
	}
	dataResult struct {
		Course        string `json:"course"`
		Chat          string `json:"chat"`
		LessonsTaken  int    `json:"lessons_taken"`
		LessonsPassed int    `json:"lessons_passed"`
		Passed        bool   `json:"passed"`
		At            string `json:"at"`
	}
	dataCert struct {
		Code     string  `json:"code"`
		Name     string  `json:"name"`
		Title    string  `json:"title"`
		Hours    float64 `json:"cpd_hours"`
		IssuedAt string  `json:"issued_at"`
	}
	dataCourse struct {
		Course    string `json:"course"`
		Chat      string `json:"chat"`
		StartedAt string `json:"started_at"`
	}
	dataAssignment struct {
		Lesson string `json:"lesson"`
		Chat   string `json:"chat"`
		NextAt string `json:"next_at"`
	}
	dataEngagement struct {
		ByKind map[string]int `json:"by_kind"`
		// ActiveWeeks are weeks, by their Monday, with activity in a chat.
		ActiveWeeks []dataWeek `json:"active_weeks"`
		// ProgramWeeks are weeks with activity in any group.
		ProgramWeeks []string `json:"program_weeks"`
	}
	dataWeek struct {
		Chat string `json:"chat"`
		Week string `json:"week_of"`
	}
)

// dataFile is d as the JSON file /mydata sends; consent says Huddle asks
// for consent (otherwise the file's consent is null).
func dataFile(d bot.MemberData, now time.Time, consent bool) ([]byte, error) {
	var doc dataDoc
	doc.Format, doc.GeneratedAt = DataFormat, stamp(now)
	m := d.Member
	p := &doc.Profile
	p.Channel, p.PlatformID, p.Alias, p.Name, p.Pseudonym, p.Language, p.FirstSeen =
		m.Channel, m.PlatformID, m.Alias, m.Name, m.Pseudonym, m.Lang, stamp(m.Created)
	if consent {
		doc.Consent = &dataConsent{Status: string(d.Consent.Status), Version: d.Consent.Version,
			AskedAt: stamp(d.Consent.AskedAt), AnsweredAt: stamp(d.Consent.AnsweredAt)}
	}
	// Empty lists are [] rather than null: a reader sees the part is there.
	doc.Chats = make([]dataChat, 0, len(d.Chats))
	for _, c := range d.Chats {
		doc.Chats = append(doc.Chats, dataChat{Title: c.Title, Type: string(c.Type), Joined: stamp(c.Joined), LastSeen: stamp(c.LastSeen), Left: stamp(c.Left)})
	}
	doc.LessonRuns = make([]dataRun, 0, len(d.Runs))
	for _, r := range d.Runs {
		run := dataRun{Lesson: r.LessonID, Chat: r.Chat, Status: string(r.Status), StartedByYou: r.StartedByThem,
			StartedAt: stamp(r.Started), FinishedAt: stamp(r.Finished), Answers: make([]dataAnswer, 0, len(r.Answers))}
		if json.Valid(r.Part) {
			run.YourPart = r.Part
		}
		for _, a := range r.Answers {
			run.Answers = append(run.Answers, dataAnswer{Step: a.Step, Answer: a.Value, Correct: a.Correct,
				Points: a.Points, MaxPoints: a.MaxPoints, At: stamp(a.At)})
		}
		doc.LessonRuns = append(doc.LessonRuns, run)
	}
	cases := func(in []bot.MemberCase) []dataCase {
		out := make([]dataCase, 0, len(in))
		for _, c := range in {
			out = append(out, dataCase{Case: caseRef(c.ID), Chat: c.Chat, Text: c.Text, Status: string(c.Status), Created: stamp(c.Created)})
		}
		return out
	}
	doc.CasesShared, doc.CasesHeld = cases(d.Cases), cases(d.Held)
	doc.CasePosts = make([]dataPost, 0, len(d.Posts))
	for _, p := range d.Posts {
		doc.CasePosts = append(doc.CasePosts, dataPost{Case: caseRef(p.CaseID), Kind: p.Kind, Text: p.Text, At: stamp(p.At)})
	}
	doc.Mentoring.Queues = append([]string{}, d.Queues...)
	doc.Mentoring.DigestSentAt = stamp(d.DigestSent)
	doc.Mentoring.CasesAssigned = make([]string, 0, len(d.Mentored))
	for _, id := range d.Mentored {
		doc.Mentoring.CasesAssigned = append(doc.Mentoring.CasesAssigned, caseRef(id))
	}
	doc.CourseResults = make([]dataResult, 0, len(d.CourseResults))
	for _, r := range d.CourseResults {
		doc.CourseResults = append(doc.CourseResults, dataResult{Course: r.CourseID, Chat: r.Chat, LessonsTaken: r.Took,
			LessonsPassed: r.Lessons, Passed: r.Passed, At: stamp(r.At)})
	}
	doc.Certificates = make([]dataCert, 0, len(d.Certificates))
	for _, c := range d.Certificates {
		doc.Certificates = append(doc.Certificates, dataCert{Code: c.Code, Name: c.Name, Title: c.Title, Hours: c.Hours, IssuedAt: stamp(c.Issued)})
	}
	doc.Badges = make([]dataBadge, 0, len(d.Badges))
	for _, b := range d.Badges {
		doc.Badges = append(doc.Badges, dataBadge{Badge: b.Badge, EarnedAt: stamp(b.Earned)})
	}
	doc.Attachments = make([]dataAttachment, 0, len(d.Attachments))
	for _, a := range d.Attachments {
		att := dataAttachment{Kind: a.Kind, Type: a.MIMEType, Caption: a.Caption, Status: a.Status, SentAt: stamp(a.Created),
			SHA256: a.Hash, Contents: a.Data}
		if a.CaseID != 0 {
			att.Case = caseRef(a.CaseID)
		}
		doc.Attachments = append(doc.Attachments, att)
	}
	doc.MarkedHelpful = make([]string, 0, len(d.MarkedHelpful))
	for _, id := range d.MarkedHelpful {
		doc.MarkedHelpful = append(doc.MarkedHelpful, caseRef(id))
	}
	doc.CoursesStarted = make([]dataCourse, 0, len(d.Courses))
	for _, c := range d.Courses {
		doc.CoursesStarted = append(doc.CoursesStarted, dataCourse{Course: c.CourseID, Chat: c.Chat, StartedAt: stamp(c.Started)})
	}
	doc.LessonsAssigned = make([]dataAssignment, 0, len(d.Assigned))
	for _, a := range d.Assigned {
		doc.LessonsAssigned = append(doc.LessonsAssigned, dataAssignment{Lesson: a.LessonID, Chat: a.Chat, NextAt: stamp(a.Next)})
	}
	e := &doc.Engagement
	e.ByKind = maps.Clone(d.Activity)
	if e.ByKind == nil {
		e.ByKind = map[string]int{}
	}
	e.ActiveWeeks = make([]dataWeek, 0, len(d.Weeks))
	for _, w := range d.Weeks {
		e.ActiveWeeks = append(e.ActiveWeeks, dataWeek{Chat: w.Chat, Week: w.Week.UTC().Format(time.DateOnly)})
	}
	e.ProgramWeeks = make([]string, 0, len(d.ProgramWeeks))
	for _, w := range d.ProgramWeeks {
		e.ProgramWeeks = append(e.ProgramWeeks, w.UTC().Format(time.DateOnly))
	}
	rv := &doc.Review
	rv.Nudges = d.Review.Prefs == nil || !d.Review.Prefs.NoNudges
	rv.Streaks = d.Review.Prefs == nil || !d.Review.Prefs.NoStreaks
	if p := d.Review.Prefs; p != nil {
		rv.On = &p.On
		rv.NudgedAt = stamp(p.Nudged)
		rv.Hours = fmt.Sprintf("%02d:%02d-%02d:%02d", p.From/60, p.From%60, p.To/60, p.To%60)
		rv.TimeZone, rv.CertificateName = p.TimeZone, p.CertName
	}
	rv.Cards = make([]dataReviewCard, 0, len(d.Review.Cards))
	for _, c := range d.Review.Cards {
		rv.Cards = append(rv.Cards, dataReviewCard{Lesson: c.LessonID, Step: c.StepKey, Due: stamp(c.Due), LastSent: stamp(c.LastSent)})
	}
	rv.Reviews = make([]dataReviewed, 0, len(d.Review.Reviews))
	for _, r := range d.Review.Reviews {
		rv.Reviews = append(rv.Reviews, dataReviewed{Lesson: r.LessonID, Step: r.StepKey, Right: r.Right, At: stamp(r.At)})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("data file of member %d: %w", m.ID, err)
	}
	return out, nil
}

// stamp is t in RFC 3339, UTC, or "" when t is zero.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// caseRef is a case's reference as members see it ("#C12").
func caseRef(id int64) string { return fmt.Sprintf("#C%d", id) }
