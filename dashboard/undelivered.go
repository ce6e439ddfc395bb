package dashboard

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/store"
)

// undeliveredShown bounds the messages the list shows.
const undeliveredShown = 200

// undeliveredPage lists the messages the sender gave up on, newest first,
// each with its reason and, when the App allows it, a button to send it
// again.
func (d *Dashboard) undeliveredPage(w http.ResponseWriter, r *http.Request) {
	msgs, total, err := d.cfg.Reports.Undelivered(r.Context(), undeliveredShown)
	if err != nil {
		d.fail(w, err)
		return
	}
	loc := d.cfg.Location
	type row struct {
		store.Undelivered
		Queued, GivenUp string
	}
	rows := make([]row, len(msgs))
	for i, m := range msgs {
		rows[i] = row{Undelivered: m, Queued: m.Queued.In(loc).Format("2 Jan 15:04"), GivenUp: m.GivenUp.In(loc).Format("2 Jan 15:04")}
	}
	d.render(w, "undelivered.html", struct {
		Rows      []row
		Total     int
		CanResend bool
	}{rows, total, d.cfg.Resend != nil})
}

// resend queues message {id} again (POST, with a JSON body, as the web
// server asks of every change).
func (d *Dashboard) resend(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || d.cfg.Resend == nil {
		http.NotFound(w, r)
		return
	}
	switch err := d.cfg.Resend(r.Context(), id); {
	case errors.Is(err, bot.ErrNotFound):
		http.Error(w, "no such message waits to be sent again (sent already?)", http.StatusNotFound)
	case err != nil:
		d.fail(w, err)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}
}
