package dashboard

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/report"
)

// maxMediaItems bounds the photos and voice notes one page lists.
const maxMediaItems = 300

// mediaItem is one photo or voice note on the media page.
type mediaItem struct {
	report.Attachment
	// Who names the sender (by pseudonym unless staff asked for names).
	Who string
	// What says what it is: a case's photo, a mentor's answer, an answer
	// to a lesson's question.
	What string
	When string
}

type mediaData struct {
	Filter  filter
	Query   template.URL
	Groups  []report.GroupFigures
	Names   bool
	MayName bool
	// Photos are the cases' photos; Voices the voice notes: mentors'
	// answers and answers to lessons' questions.
	Photos, Voices []mediaItem
	// More says the period holds more than the page lists.
	More bool
}

// mediaPage lists the photos shared with cases (their authors checked
// them) and the voice notes members and mentors sent, to see and hear.
// largeFileWrite is how long a file of a lesson or a case may take to be
// sent, the web server's bound on a page aside.
const largeFileWrite = 10 * time.Minute

func (d *Dashboard) mediaPage(w http.ResponseWriter, r *http.Request) {
	f, err := d.parseFilter(r)
	if err != nil {
		d.problem(w, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	data := mediaData{Filter: f, Query: template.URL(f.query()), Names: d.showNames(r), MayName: d.cfg.RealNames}
	if data.Groups, err = d.cfg.Reports.Overview(ctx, f.r); err != nil {
		d.fail(w, err)
		return
	}
	list, err := d.cfg.Reports.Attachments(ctx, f.r, f.Group, maxMediaItems+1)
	if err != nil {
		d.fail(w, err)
		return
	}
	if len(list) > maxMediaItems {
		list, data.More = list[:maxMediaItems], true
	}
	for _, a := range list {
		it := mediaItem{Attachment: a, When: a.At.In(d.cfg.Location).Format("2 Jan 2006 15:04")}
		it.Who = "a former member"
		if a.MemberID != 0 && (a.Name != "" || a.Pseudonym != "") {
			it.Who = d.label(r, a.MemberID, a.Name, a.Pseudonym)
		}
		switch {
		case a.Kind == bot.AttachPhoto:
			it.What = "photo"
			data.Photos = append(data.Photos, it)
		case a.CaseID != 0:
			it.What = "mentor's answer"
			data.Voices = append(data.Voices, it)
		default:
			it.What = "answer to " + a.LessonID
			if a.StepID != "" {
				it.What += " · " + a.StepID
			}
			data.Voices = append(data.Voices, it)
		}
	}
	d.render(w, "media.html", data)
}

// mediaFile serves one shown photo or voice note by its hash, for the
// media page's pictures and players; never one still waiting for its
// author's check.
func (d *Dashboard) mediaFile(w http.ResponseWriter, r *http.Request) {
	data, mime, err := d.cfg.Reports.MediaFile(r.Context(), r.PathValue("hash"))
	if errors.Is(err, bot.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		d.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", mime)
	// Members' photos and voices: kept by the browser for this session's
	// viewer only.
	w.Header().Set("Cache-Control", "private, max-age=600")
	// A video or a long voice note may take longer than a page to
	// reach a slow connection: beyond the server's write time.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(largeFileWrite))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
