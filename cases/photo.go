package cases

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/deid"
)

// Option data prefixes of the author's answer about a photo sent into a
// case's thread.
const (
	photoPostPrefix    = "cp:"
	photoDiscardPrefix = "cpx:"
)

// isPhoto reports whether a file a member sent is a picture.
func isPhoto(f *bot.File) bool { return f != nil && strings.HasPrefix(f.MIMEType, "image/") }

// isVoice reports whether a file a member sent is a sound (a voice note).
func isVoice(f *bot.File) bool { return f != nil && strings.HasPrefix(f.MIMEType, "audio/") }

// photoToCheck returns the photo an event carries (made clean by the
// router before anything saw it: upright, its metadata gone, with the
// GPS position and the camera's serial number; scaled and compressed)
// with the author's private chat, where they check it. It replies and
// returns ok false when the photo cannot be used: the author has no
// private chat with the bot (nothing can be checked in a group), or it
// could not be fetched or read.
func (sv *Service) photoToCheck(tx Tx, s bot.Session) (dm bot.Chat, pic []byte, ok bool, err error) {
	if err := sv.takeDown(tx, s); err != nil {
		return dm, nil, false, err
	}
	dm, err = tx.DirectChatOf(s.Member.ID)
	if errors.Is(err, bot.ErrNotFound) {
		return dm, nil, false, bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_nodm", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)))
	}
	if err != nil {
		return dm, nil, false, err
	}
	f := s.Event.File
	if len(f.Data) > 0 && f.MIMEType == "image/jpeg" {
		return dm, f.Data, true, nil
	}
	switch r := f.Refused; {
	case r != nil && r.MaxMegapixels > 0:
		return dm, nil, false, bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_too_many_pixels", r.Megapixels, r.MaxMegapixels))
	case r != nil && r.MaxMB > 0:
		return dm, nil, false, bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_too_big", r.MB, r.MaxMB))
	}
	return dm, nil, false, bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_unreadable"))
}

// takeDown takes a case's photo down from the group it was posted in,
// before anyone else has looked long at it: what the group sees is the
// copy its author has checked, and nothing until then. Where the bot may
// not delete members' messages, the author is asked to.
func (sv *Service) takeDown(tx Tx, s bot.Session) error {
	if s.Chat.Type != bot.Group || s.Event.MessageID == "" {
		return nil
	}
	m := bot.ReplyMessage(s, "takedown", sv.tr(s.Lang, "photo_take_down", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)))
	m.Delete = s.Event.MessageID
	return tx.Enqueue(m, s.Now)
}

// photoFile is a kept photo as an outbound attachment.
func photoFile(id int64, data []byte) *bot.File {
	return &bot.File{Name: fmt.Sprintf("case-photo-%d.jpg", id), MIMEType: "image/jpeg", Data: data}
}

// openWithPhoto handles /case TEXT sent as a photo's caption: nothing is
// shared until the author, privately, has looked at the photo as it will
// be shown (metadata gone) and said that no face, name or record number
// can be seen on it. The text is checked as any case's.
func (sv *Service) openWithPhoto(tx Tx, s bot.Session, text string) error {
	dm, pic, ok, err := sv.photoToCheck(tx, s)
	if err != nil || !ok {
		return err
	}
	findings, redacted := sv.checkIn(text, s.Lang)
	p := bot.PendingCase{ChatID: s.Chat.ID, AuthorID: s.Member.ID, Text: redacted, Created: s.Now}
	if err := tx.SavePendingCase(&p); err != nil {
		return err
	}
	a := bot.Attachment{Kind: bot.AttachPhoto, MIMEType: "image/jpeg", MemberID: s.Member.ID, ChatID: s.Chat.ID,
		PendingID: p.ID, Status: bot.AttachPending, Created: s.Now, Data: pic}
	if err := tx.SaveAttachment(&a); err != nil {
		return err
	}
	check := sv.tr(dm.Lang, "photo_check", s.Chat.Title, redacted)
	if len(findings) > 0 {
		check += "\n\n" + sv.tr(dm.Lang, "photo_text_redacted", sv.list(dm.Lang, sv.kindNames(dm.Lang, deid.Summary(findings))))
	}
	err = tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Key: fmt.Sprintf("pending:%d", p.ID),
		File: photoFile(a.ID, pic), Text: check, Options: []bot.Option{
			{Label: sv.tr(dm.Lang, "photo_share"), Data: fmt.Sprintf("%s%d", confirmPrefix, p.ID)},
			{Label: sv.tr(dm.Lang, "discard"), Data: fmt.Sprintf("%s%d", discardPrefix, p.ID)}}}, s.Now)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_held", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)))
}

// photoInThread holds a photo sent into case c's thread until its author
// has checked it privately, as openWithPhoto does.
func (sv *Service) photoInThread(tx Tx, s bot.Session, c bot.Case) error {
	dm, pic, ok, err := sv.photoToCheck(tx, s)
	if err != nil || !ok {
		return err
	}
	_, caption := sv.checkIn(s.Event.Text, s.Lang)
	a := bot.Attachment{Kind: bot.AttachPhoto, MIMEType: "image/jpeg", MemberID: s.Member.ID, ChatID: s.Chat.ID,
		CaseID: c.ID, Caption: caption, Status: bot.AttachPending, Created: s.Now, Data: pic}
	if err := tx.SaveAttachment(&a); err != nil {
		return err
	}
	err = tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, Key: fmt.Sprintf("att:%d:check", a.ID),
		File: photoFile(a.ID, pic), Text: sv.tr(dm.Lang, "photo_check_thread", c.ID, s.Chat.Title), Options: []bot.Option{
			{Label: sv.tr(dm.Lang, "photo_share"), Data: fmt.Sprintf("%s%d", photoPostPrefix, a.ID)},
			{Label: sv.tr(dm.Lang, "discard"), Data: fmt.Sprintf("%s%d", photoDiscardPrefix, a.ID)}}}, s.Now)
	if err != nil {
		return err
	}
	return bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_held", sv.shown(s.Lang, s.Member.Name, s.Member.Pseudonym)))
}

// photoAnswer takes the author's answer about a photo sent into a
// thread: share it, or discard it (its file goes).
func (sv *Service) photoAnswer(tx Tx, s bot.Session) error {
	data := s.Event.Option
	share := strings.HasPrefix(data, photoPostPrefix)
	raw := strings.TrimPrefix(strings.TrimPrefix(data, photoDiscardPrefix), photoPostPrefix)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return bot.Reply(tx, s, "photo", sv.tr(s.Lang, "pending_gone"))
	}
	a, err := tx.AttachmentByID(id)
	if errors.Is(err, bot.ErrNotFound) || (err == nil && (a.MemberID != s.Member.ID || a.Status != bot.AttachPending)) {
		return bot.Reply(tx, s, "photo", sv.tr(s.Lang, "pending_gone"))
	}
	if err != nil {
		return err
	}
	if !share {
		if err := tx.DeleteAttachment(a.ID); err != nil {
			return err
		}
		return bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_discarded"))
	}
	c, err := tx.CaseByID(a.CaseID)
	if err != nil {
		return err
	}
	chat, err := tx.ChatByID(a.ChatID)
	if err != nil {
		return err
	}
	if err := sv.showPhoto(tx, s.Member, c, chat, a, true, s.Now); err != nil {
		return err
	}
	return bot.Reply(tx, s, "photo", sv.tr(s.Lang, "photo_shared", c.ID, chat.Title))
}

// showPhoto shares a checked photo in case c's thread, after the case's
// own post, and sends it to the mentor who holds the case, if one does.
// A photo sent into the thread (thread) is also a post of it, so the
// thread reads in order in the archive.
func (sv *Service) showPhoto(tx Tx, author bot.Member, c bot.Case, chat bot.Chat, a bot.Attachment, thread bool, now time.Time) error {
	if err := tx.ShowAttachment(a.ID, c.ID); err != nil {
		return err
	}
	data, err := tx.AttachmentData(a)
	if err != nil {
		return err
	}
	text := sv.tr(chat.Lang, "photo_post", c.ID, sv.shown(chat.Lang, author.Name, author.Pseudonym))
	if a.Caption != "" {
		text += "\n\n" + a.Caption
	}
	quoted, err := tx.CaseMessageID(c.ID)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("att:%d:post", a.ID)
	err = tx.Enqueue(bot.Outbound{Channel: chat.Channel, ChatID: chat.PlatformID, ReplyTo: quoted, ThreadOf: threadOf(chat, c.ID),
		File: photoFile(a.ID, data), Text: text, Key: key}, now)
	if err != nil {
		return err
	}
	if err := tx.LinkCaseMessage(key, c.ID); err != nil {
		return err
	}
	if thread {
		if err := tx.AddCasePost(bot.CasePost{CaseID: c.ID, MemberID: author.ID, Kind: bot.PostReply,
			Text: strings.TrimSpace("📷 " + a.Caption), At: now}); err != nil {
			return err
		}
		if err := sv.reindex(tx, c); err != nil {
			return err
		}
	}
	if c.Status != bot.CaseAssigned || c.AssignedTo == 0 {
		return nil
	}
	dm, err := tx.DirectChatOf(c.AssignedTo)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return sv.sendPhotoTo(tx, dm, c, a, data, fmt.Sprintf("att:%d:mentor:%d", a.ID, c.AssignedTo), now)
}

// sendPhotoTo sends a case's photo to a mentor's private chat, where a
// reply to it answers the case.
func (sv *Service) sendPhotoTo(tx Tx, dm bot.Chat, c bot.Case, a bot.Attachment, data []byte, key string, now time.Time) error {
	text := sv.tr(dm.Lang, "photo_mentor", c.ID)
	if a.Caption != "" {
		text += "\n\n" + a.Caption
	}
	if err := tx.Enqueue(bot.Outbound{Channel: dm.Channel, ChatID: dm.PlatformID, File: photoFile(a.ID, data), Text: text, Key: key}, now); err != nil {
		return err
	}
	return tx.LinkCaseMessage(key, c.ID)
}
