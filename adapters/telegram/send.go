package telegram

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
	"golang.org/x/time/rate"
)

// Telegram's limits on a message's text and a document's caption, in
// characters.
const (
	maxMessage = 4096
	maxCaption = 1024
)

// Telegram allows a bot about 20 messages a minute in one group.
const (
	groupLimit = 20          // messages in any minute to a group
	chatGap    = time.Second // between two messages to one chat
)

// Send delivers one message, its options as an inline keyboard with one
// button a row, paced by the channel's rate and the chat's limits: a
// message to a chat that had one less than a second ago waits out the
// second; a group whose minute's budget is spent gets a pacing
// *bot.RetryError at once, without a request, so the sender goes on with
// other chats and keeps this one's order.
func (t *Telegram) Send(ctx context.Context, m bot.Outbound) (string, error) {
	switch m.Shape() {
	case bot.ShapePressAnswer:
		// Not a message in the group, and not a message at all: outside
		// every pacing. Telegram does not limit answerCallbackQuery ("You
		// can call answerCallbackQuery without any limits", the Bot API
		// server's maintainer, tdlib/telegram-bot-api#648 and #636), and a
		// press not answered within seconds leaves the member's button
		// spinning.
		return "", t.answerPress(ctx, m)
	case bot.ShapeReaction:
		if !t.noReactions.Load() {
			if err := t.paceBot(ctx); err != nil {
				return "", err
			}
			err := t.react(ctx, m)
			var missing *noMethodError
			if !errors.As(err, &missing) {
				return "", err
			}
			if t.noReactions.CompareAndSwap(false, true) {
				t.log.Warn("this Bot API server has no reactions (setMessageReaction): verdicts on typed answers go as short replies instead",
					"err", err)
			}
		}
		// Reactions cannot be had: the words the reaction stands for,
		// as a reply, where it carried meaning.
		if m.Text == "" {
			return "", nil
		}
		m.React = ""
	case bot.ShapeTakeDown:
		if err := t.paceBot(ctx); err != nil {
			return "", err
		}
		done, err := t.takeDown(ctx, m)
		switch {
		case err != nil || done && m.Removed == "":
			return "", err
		case done:
			// Gone: the chat is told so, in its place.
			m.Text, m.ReplyTo = m.Removed, ""
		case m.Removed == "":
			// The bot may not delete it: its text asks the sender to.
			m.ReplyTo = m.Delete
		default:
			m.ReplyTo = "" // asked without showing it again
		}
		m.Delete = ""
	}
	// One message at a time to a chat: a chat's messages come one after
	// another from the sender, but a reaction turned into words comes
	// beside them, and two at once would both find the chat's second
	// free.
	lock := &t.chatLocks[chatStripe(m.ChatID)]
	lock.Lock()
	defer lock.Unlock()
	sleep, later := t.pace(m.ChatID)
	if later > 0 {
		return "", &bot.RetryError{After: later, Pace: true, Err: errors.New("pacing the group under Telegram's 20 a minute")}
	}
	if err := t.sleep(ctx, sleep); err != nil {
		return "", err
	}
	t.speedUp()
	if err := t.paceBot(ctx); err != nil {
		return "", err
	}
	t.sent(m.ChatID)
	if m.Shape() == bot.ShapeTopic {
		return t.openTopic(ctx, m)
	}
	method, params, files := "sendMessage", sendParams(m), []tgbotapi.RequestFile(nil)
	media, field := "", ""
	switch doc := m.Shape() == bot.ShapeDocument; {
	case doc && mediaMethod(m.File.MIMEType) != "":
		// A lesson's picture, sound or video: sent natively, uploaded
		// once and then reused by its file_id.
		method, field = mediaMethod(m.File.MIMEType), mediaField(m.File.MIMEType)
		params["caption"] = bot.Clip(m.Text, maxCaption)
		delete(params, "text")
		media = photoKey(m.File.Data)
		if id, ok := t.photoID(media); ok {
			params[field] = id
		} else {
			files = []tgbotapi.RequestFile{{Name: field, Data: tgbotapi.FileBytes{Name: m.File.Name, Bytes: m.File.Data}}}
		}
	case doc:
		// A document: uploaded once too (a lesson's WAV to every group);
		// a one-off (a /mydata file, transient) is only ever uploaded,
		// and nothing of it is kept.
		method, params["caption"] = "sendDocument", bot.Clip(m.Text, maxCaption)
		delete(params, "text")
		if !m.Transient {
			media = photoKey(m.File.Data)
		}
		if id, ok := t.photoID(media); ok && media != "" {
			params["document"] = id
		} else {
			files = []tgbotapi.RequestFile{{Name: "document", Data: tgbotapi.FileBytes{Name: m.File.Name, Bytes: m.File.Data}}}
		}
	}
	resp, err := t.upload(ctx, method, params, files)
	if err != nil && m.Thread != "" && topicGone(err) {
		// An admin deleted or closed the topic: the message goes to the
		// group itself rather than nowhere.
		delete(params, "message_thread_id")
		resp, err = t.upload(ctx, method, params, files)
	}
	if err != nil {
		return "", t.classify(err)
	}
	var sent tgbotapi.Message
	if err := jsonUnmarshal(resp.Result, &sent); err != nil {
		return "", &bot.PermanentError{Err: err}
	}
	if media != "" && len(files) > 0 {
		if id := sentFileID(&sent); id != "" {
			t.rememberPhoto(media, id)
		}
	}
	if m.Pin {
		// Best effort: only an admin with the right may pin.
		if _, err := t.call(ctx, "pinChatMessage", tgbotapi.Params{"chat_id": m.ChatID,
			"message_id": strconv.Itoa(sent.MessageID), "disable_notification": "true"}); err != nil {
			t.log.Info("could not pin the message (the bot needs the right to pin)", "err", err)
		}
	}
	return strconv.Itoa(sent.MessageID), nil
}

// maxTopicName is Telegram's limit on a forum topic's name, in characters.
const maxTopicName = 128

// openTopic creates a forum topic (createForumTopic, which v5.5.1 of the
// library has no type for) and returns its message_thread_id. It fails
// permanently where the chat has no topics or the bot may not manage them.
func (t *Telegram) openTopic(ctx context.Context, m bot.Outbound) (string, error) {
	resp, err := t.call(ctx, "createForumTopic", tgbotapi.Params{"chat_id": m.ChatID, "name": bot.Clip(m.Topic, maxTopicName)})
	if err != nil {
		return "", t.classify(err)
	}
	var topic struct {
		ThreadID int `json:"message_thread_id"`
	}
	if err := jsonUnmarshal(resp.Result, &topic); err != nil || topic.ThreadID == 0 {
		return "", &bot.PermanentError{Err: fmt.Errorf("createForumTopic answered %s", resp.Result)}
	}
	return strconv.Itoa(topic.ThreadID), nil
}

// sendParams builds the sendMessage request for m.
func sendParams(m bot.Outbound) tgbotapi.Params {
	params := tgbotapi.Params{"chat_id": m.ChatID, "text": bot.Clip(m.Text, maxMessage)}
	if m.Thread != "" {
		params["message_thread_id"] = m.Thread
	}
	if m.ReplyTo != "" {
		params["reply_to_message_id"] = m.ReplyTo
		params["allow_sending_without_reply"] = "true"
	}
	if len(m.Options) > 0 {
		rows := make([][]tgbotapi.InlineKeyboardButton, len(m.Options))
		for i, o := range m.Options {
			rows[i] = []tgbotapi.InlineKeyboardButton{tgbotapi.NewInlineKeyboardButtonData(o.Label, o.Data)}
		}
		markup, _ := json.Marshal(tgbotapi.NewInlineKeyboardMarkup(rows...))
		params["reply_markup"] = string(markup)
	}
	return params
}

// topicGone reports whether err says a message's forum topic is deleted
// or closed ("message thread not found", "TOPIC_CLOSED", "TOPIC_DELETED").
func topicGone(err error) bool {
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 400 {
		return false
	}
	msg := strings.ToLower(apiErr.Message)
	return strings.Contains(msg, "thread not found") || strings.Contains(msg, "topic_")
}

// classify maps a Bot API error to the errors outbox.Sender acts on; a "too
// many requests" also slows the channel's overall rate (see slowDown).
func (t *Telegram) classify(err error) error {
	err = classify(err)
	var retry *bot.RetryError
	if errors.As(err, &retry) {
		t.slowDown()
	}
	return err
}

// slowDown halves the overall rate, down to one message a second, after
// Telegram said "too many requests": its limits are not all published
// (a bot's many groups, its many new chats), and a 429 means we went past
// one. The rate climbs back, doubling, after each quiet minute (see
// speedUp). The refusals of one second count as one.
func (t *Telegram) slowDown() {
	t.paceMu.Lock()
	defer t.paceMu.Unlock()
	now := t.now()
	if now.Sub(t.halvedAt) < time.Second {
		// Many chats' messages in flight at once may all be refused: one
		// slowdown a second, or a burst would take the rate to its floor.
		return
	}
	t.halvedAt = now
	limit := max(t.limiter.Limit()/2, 1)
	t.limiter.SetLimit(limit)
	t.slowedAt = now
	t.log.Warn("Telegram said too many requests; slowing down", "per_second", float64(limit))
}

// speedUp doubles a slowed rate, up to the configured one, once a minute
// has passed without a "too many requests".
func (t *Telegram) speedUp() {
	t.paceMu.Lock()
	defer t.paceMu.Unlock()
	full := t.full()
	if t.limiter.Limit() >= full || t.now().Sub(t.slowedAt) < time.Minute {
		return
	}
	t.limiter.SetLimit(min(t.limiter.Limit()*2, full))
	t.slowedAt = t.now()
}

// full is this instance's share of the configured rate; paceMu held.
func (t *Telegram) full() rate.Limit {
	return rate.Limit(t.cfg.Rate / float64(max(t.share, 1)))
}

// ShareRate makes this instance send at its share of the configured rate,
// instances running in all: Telegram's limit is the bot's, whichever
// instance sends. A rate slowed after a "too many requests" stays slowed
// (within the new share), and climbs back to it.
func (t *Telegram) ShareRate(instances int) {
	t.paceMu.Lock()
	defer t.paceMu.Unlock()
	old := t.full()
	t.share = max(instances, 1)
	if t.limiter.Limit() >= old {
		t.limiter.SetLimit(t.full())
	} else {
		t.limiter.SetLimit(min(t.limiter.Limit(), t.full()))
	}
	t.log.Info("sending at this instance's share of the rate", "instances", t.share, "per_second", float64(t.full()))
}

// classify maps a Bot API error to the errors outbox.Sender acts on.
func classify(err error) error {
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		return err // the network: try again
	}
	switch {
	case apiErr.MigrateToChatID != 0:
		return &bot.MigratedError{NewChatID: id(apiErr.MigrateToChatID)}
	case apiErr.RetryAfter > 0:
		return &bot.RetryError{After: time.Duration(apiErr.RetryAfter) * time.Second, Err: err}
	case apiErr.Code == 400 || apiErr.Code == 403 || apiErr.Code == 404:
		// Chat not found, bot blocked or removed, bad request: retrying
		// the same message cannot help.
		return &bot.PermanentError{Err: err}
	}
	return err
}

func jsonUnmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }

// maxToast is the most characters answerCallbackQuery shows.
const maxToast = 200

// answerPress answers a button press (answerCallbackQuery): the text is
// shown to the member who pressed alone, as a toast, or as an alert they
// close when it is longer than a glance.
func (t *Telegram) answerPress(ctx context.Context, m bot.Outbound) error {
	params := tgbotapi.Params{"callback_query_id": m.PressID}
	if m.Text != "" {
		params["text"] = clipUTF16(m.Text, maxToast)
		if len([]rune(m.Text)) > 60 || strings.Contains(m.Text, "\n") {
			params["show_alert"] = "true"
		}
	}
	if _, err := t.call(ctx, "answerCallbackQuery", params); err != nil {
		// A query answered too late (Telegram keeps them briefly) cannot
		// be answered again.
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == 400 {
			return &bot.PermanentError{Err: err}
		}
		return t.classify(err)
	}
	return nil
}

// clipUTF16 cuts s to at most n UTF-16 code units, as Telegram counts
// (an emoji can be two), with an ellipsis when cut.
func clipUTF16(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	units := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if units+w > n-1 { // room for the ellipsis
			return s[:i] + "…"
		}
		units += w
	}
	return s
}

// utf16Len is s's length in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// telegramReaction is the reaction Telegram allows nearest to emoji: it
// takes a fixed set, without ✅ and ❌.
func telegramReaction(emoji string) string {
	switch emoji {
	case "✅":
		return "👍"
	case "❌":
		return "🤔"
	}
	return emoji
}

// react puts a reaction on a member's message (setMessageReaction, which
// v5.5.1 of the library predates).
func (t *Telegram) react(ctx context.Context, m bot.Outbound) error {
	reaction := `[{"type":"emoji","emoji":"` + telegramReaction(m.React) + `"}]`
	_, err := t.call(ctx, "setMessageReaction", tgbotapi.Params{"chat_id": m.ChatID, "message_id": m.ReplyTo, "reaction": reaction})
	if err != nil {
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == 400 {
			return &bot.PermanentError{Err: err} // the message is gone, or reactions are off there
		}
		return t.classify(err)
	}
	return nil
}

// takeDown deletes a member's message (deleteMessage). It reports done
// when the message is gone, deleted now or before; false with no error
// when the bot may not delete it (it is no admin with the right to, or
// the message is past Telegram's 48 hours).
func (t *Telegram) takeDown(ctx context.Context, m bot.Outbound) (done bool, err error) {
	_, err = t.call(ctx, "deleteMessage", tgbotapi.Params{"chat_id": m.ChatID, "message_id": m.Delete})
	var apiErr *tgbotapi.Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &apiErr) && (apiErr.Code == 400 || apiErr.Code == 403):
		if strings.Contains(strings.ToLower(apiErr.Message), "not found") {
			return true, nil // "message to delete not found": its sender deleted it
		}
		t.log.Warn("could not take a member's message down (the bot needs the right to delete messages); asking its sender to", "err", err)
		return false, nil
	}
	return false, t.classify(err)
}

// photoKey names a media file's bytes: their SHA-256.
func photoKey(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// photoID returns the file_id Telegram gave a media file uploaded before.
func (t *Telegram) photoID(key string) (string, bool) {
	t.photoMu.Lock()
	defer t.photoMu.Unlock()
	id, ok := t.photos[key]
	return id, ok
}

// maxUploads bounds the file_ids kept for reuse (a lesson's files are
// few; documents such as certificates are many).
const maxUploads = 1024

// rememberPhoto keeps a media file's file_id, so it is not uploaded
// again.
func (t *Telegram) rememberPhoto(key, id string) {
	t.photoMu.Lock()
	defer t.photoMu.Unlock()
	if t.photos == nil || len(t.photos) >= maxUploads {
		t.photos = map[string]string{} // past the bound, afresh
	}
	t.photos[key] = id
}

// mediaMethod is the Bot API method that sends a file of mimeType
// natively ("" for a document): a photo, a voice note (Ogg), a sound
// (MP3 or M4A, the formats sendAudio plays; a WAV goes as a document,
// which the apps play too) or a video.
func mediaMethod(mimeType string) string {
	switch {
	case strings.HasPrefix(mimeType, "image/"):
		return "sendPhoto"
	case mimeType == "audio/ogg":
		return "sendVoice"
	case mimeType == "audio/mpeg" || mimeType == "audio/mp4":
		return "sendAudio"
	case strings.HasPrefix(mimeType, "video/"):
		return "sendVideo"
	}
	return ""
}

// mediaField is the field that carries the file for mediaMethod.
func mediaField(mimeType string) string {
	return strings.ToLower(strings.TrimPrefix(mediaMethod(mimeType), "send"))
}

// sentFileID is the file_id Telegram gave the file a message carries.
func sentFileID(m *tgbotapi.Message) string {
	switch {
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Voice != nil:
		return m.Voice.FileID
	case m.Audio != nil:
		return m.Audio.FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Document != nil:
		return m.Document.FileID
	}
	return ""
}
