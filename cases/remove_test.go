package cases_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
)

// TestCaseOutlivesItsAuthor: a confirmed case with its photo belongs to
// the group's archive: after its author's /forget both stay, without
// the link to her, and a peer still sees the case. Staff then erase it
// on request with /removecase: case, thread, photo file and archive entry
// go; a member who tries the command is refused.
func TestCaseOutlivesItsAuthor(t *testing.T) {
	w := newWorld(t)
	dm := w.last("dm-amina")
	w.say("dm-amina", "amina", "/start", "")
	ward := w.last("ward")
	w.say("ward", "zola", "Morning", "")
	w.send("ward", "amina", "/case Woman of 30, rash on the forearm for 3 days, itchy. What is it?", "", photo(t, 640, 360))
	check := w.expect("dm-amina", dm, "Before your case is shared in Ward 3")
	w.press("dm-amina", "amina", check, 0)
	post := w.expect("ward", ward, "Case #C1")
	w.expect("ward", ward, "📷 Photo for case #C1")
	w.say("ward", "zola", "Looks like contact dermatitis to me.", post.ID)
	if got := len(w.media()); got != 1 {
		t.Fatalf("media files: %d, want her case's photo", got)
	}

	// She is forgotten: her case and its photo stay, without her.
	dm = w.last("dm-amina")
	w.say("dm-amina", "amina", "/forget", "")
	ask := w.expect("dm-amina", dm, "Erase everything?")
	w.press("dm-amina", "amina", ask, 0)
	w.expect("dm-amina", ask.Seq, "Huddle no longer holds anything about you")
	ctx := context.Background()
	var c bot.Case
	var photos []bot.Attachment
	if err := w.app.DB.Update(ctx, func(tx bot.Tx) (err error) {
		if c, err = tx.CaseByID(1); err != nil {
			return err
		}
		photos, err = tx.CaseAttachments(1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c.AuthorID != 0 || len(photos) != 1 || photos[0].MemberID != 0 || len(w.media()) != 1 {
		t.Fatalf("after her /forget: case %+v, photos %+v, %d files; want the case and its photo kept without her", c, photos, len(w.media()))
	}
	zdm := w.last("dm-zola")
	w.say("dm-zola", "zola", "/case 1", "")
	w.expect("dm-zola", zdm, "Case #C1", "rash on the forearm")

	// A member may not erase a case; staff may.
	zdm = w.last("dm-zola")
	w.say("dm-zola", "zola", "/removecase 1", "")
	w.expect("dm-zola", zdm, "Only program staff can use /removecase")
	lead := w.last("dm-lead")
	w.say("dm-lead", "lead", "/removecase 1", "")
	w.expect("dm-lead", lead, "Case #C1 is erased from Huddle")
	if err := w.app.DB.Update(ctx, func(tx bot.Tx) error { _, err := tx.CaseByID(1); return err }); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the case after /removecase: %v; want not found", err)
	}
	// The files go after the commit.
	testkit.Until(5*time.Second, func() bool { return len(w.media()) == 0 })
	if got := w.media(); len(got) != 0 {
		t.Errorf("media files after /removecase: %d", len(got))
	}
	zdm = w.last("dm-zola")
	w.say("dm-zola", "zola", "/case 1", "")
	w.expect("dm-zola", zdm, "There is no case #C1")
}
