// Package tgemu runs the telegram-test-api Bot API emulator on loopback for
// tests, and talks to it as Telegram users would: messages and button
// presses in, the bot's messages out.
//
// The emulator is a Node package pinned in node/package-lock.json; Start
// installs it with npm on first use. Without node or npm the tests that
// need it are skipped, except under CI=true, where they fail.
package tgemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // photos users send
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/npmtest"
)

// Emulator is a running Bot API emulator.
type Emulator struct {
	// URL is the emulator's base URL, for channels.telegram.api_endpoint.
	URL   string
	Token string
	t     testing.TB
}

// dir is the folder of the emulator's Node package.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "node")
}

// Start runs an emulator for the test's lifetime.
func Start(t testing.TB) *Emulator {
	t.Helper()
	// multer is the dependency added last: an older install lacks it.
	npmtest.Install(t, "Telegram emulator", dir(), "multer")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("node", "server.js", strconv.Itoa(port))
	cmd.Dir = dir()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("Telegram emulator exited before it was ready")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Telegram emulator did not start within 30s")
	}
	return &Emulator{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Token: "123456:TEST-token", t: t}
}

// Chat is a chat in the emulator.
type Chat struct {
	ID    int64
	Type  string // "group", "supergroup" or "private"
	Title string
	// Forum makes a supergroup one with topics.
	Forum bool
}

// User is a Telegram user in the emulator.
type User struct {
	ID        int64
	FirstName string
	Lang      string
}

// post sends body to the emulator's path and returns its answer.
func (e *Emulator) post(path string, body any) []byte {
	e.t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(e.URL+path, "application/json", bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("emulator %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("emulator %s: %s: %s (%v)", path, resp.Status, out, err)
	}
	return out
}

func (c Chat) json() map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type}
	if c.Title != "" {
		m["title"] = c.Title
	}
	if c.Forum {
		m["is_forum"] = true
	}
	return m
}

func (u User) json() map[string]any {
	m := map[string]any{"id": u.ID, "first_name": u.FirstName, "is_bot": false}
	if u.Lang != "" {
		m["language_code"] = u.Lang
	}
	return m
}

// Send posts a user's text message in a chat and returns its message_id.
func (e *Emulator) Send(chat Chat, from User, text string) int {
	e.t.Helper()
	return e.SendRaw(chat, from, map[string]any{"text": text})
}

// Edit has from edit their message id in chat to read text, as Telegram
// tells a bot: an edited_message update with the same message_id and an
// edit_date.
func (e *Emulator) Edit(chat Chat, from User, id int, text string) {
	e.t.Helper()
	now := time.Now().Unix()
	e.Update(map[string]any{"edited_message": map[string]any{"message_id": id, "chat": chat.json(), "from": from.json(),
		"date": now, "edit_date": now, "text": text}})
}

// SendInTopic posts a user's text message in a forum topic, as Telegram
// delivers it: with message_thread_id, is_topic_message, and a reply to
// the topic's first (service) message.
func (e *Emulator) SendInTopic(chat Chat, from User, thread int, text string) {
	e.t.Helper()
	e.SendRaw(chat, from, map[string]any{
		"text": text, "message_thread_id": thread, "is_topic_message": true,
		"reply_to_message": map[string]any{"message_id": thread, "message_thread_id": thread, "chat": chat.json(),
			"date": time.Now().Unix(), "forum_topic_created": map[string]any{"name": "topic", "icon_color": 7322096}},
	})
}

// DenyTopics takes from the bot the right to manage topics in chat:
// createForumTopic fails there as on Telegram.
func (e *Emulator) DenyTopics(chat Chat) {
	e.t.Helper()
	e.post("/denyTopics", map[string]any{"chat_id": chat.ID})
}

// Topic is a forum topic the bot opened.
type Topic struct {
	ChatID   string `json:"chat_id"`
	ThreadID int    `json:"message_thread_id"`
	Name     string `json:"name"`
}

// Topics returns the forum topics the bot opened, oldest first.
func (e *Emulator) Topics() []Topic {
	e.t.Helper()
	var out []Topic
	e.list("/forumTopics", &out)
	return out
}

// list fetches one of the emulator front's records for the bot.
func (e *Emulator) list(path string, into any) {
	e.t.Helper()
	data, _ := json.Marshal(map[string]string{"token": e.Token})
	resp, err := http.Post(e.URL+path, "application/json", bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("emulator %s: %v", path, err)
	}
	defer resp.Body.Close()
	out := struct {
		Result any `json:"result"`
	}{into}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("emulator %s: %v", path, err)
	}
}

// Toast is the bot's answer to a press (answerCallbackQuery), shown to
// the member who pressed alone.
type Toast struct {
	QueryID string `json:"callback_query_id"`
	Text    string `json:"text"`
	Alert   bool   `json:"show_alert"`
}

// Toasts lists the bot's answers to presses, in order.
func (e *Emulator) Toasts() []Toast {
	e.t.Helper()
	var out []Toast
	e.list("/toasts", &out)
	return out
}

// SetChatSize makes getChatMemberCount answer count for chat (the bot
// included, as Telegram counts).
func (e *Emulator) SetChatSize(chat Chat, count int) {
	e.t.Helper()
	data, _ := json.Marshal(map[string]any{"chat_id": strconv.FormatInt(chat.ID, 10), "count": count})
	resp, err := http.Post(e.URL+"/chatSize", "application/json", bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("emulator chatSize: %v", err)
	}
	resp.Body.Close()
}

// Pin is a message the bot pinned (pinChatMessage).
type Pin struct {
	ChatID    string `json:"chat_id"`
	MessageID int    `json:"message_id"`
}

// Pins lists the messages the bot pinned, in order.
func (e *Emulator) Pins() []Pin {
	e.t.Helper()
	var out []Pin
	e.list("/pins", &out)
	return out
}

// DenyDelete takes from the bot the right to delete members' messages in
// chat (it is no admin there): deleteMessage fails as on Telegram.
func (e *Emulator) DenyDelete(chat Chat) {
	e.t.Helper()
	e.post("/denyDelete", map[string]any{"chat_id": chat.ID})
}

// Lack makes the emulator lack methods from then on, answering them as
// telegram-test-api answers a method it does not know (as it lacks
// setMessageReaction, and an older self-hosted Bot API server lacks newer
// methods).
func (e *Emulator) Lack(methods ...string) {
	e.t.Helper()
	e.post("/lack", map[string]any{"methods": methods})
}

// Deletion is a member's message the bot deleted (deleteMessage).
type Deletion struct {
	ChatID    string `json:"chat_id"`
	MessageID int    `json:"message_id"`
}

// Deletions lists the messages the bot deleted, in order.
func (e *Emulator) Deletions() []Deletion {
	e.t.Helper()
	var out []Deletion
	e.list("/deletions", &out)
	return out
}

// Reaction is an emoji the bot put on a message (setMessageReaction).
type Reaction struct {
	ChatID    string `json:"chat_id"`
	MessageID int    `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// Reactions lists the bot's reactions, in order.
func (e *Emulator) Reactions() []Reaction {
	e.t.Helper()
	var out []Reaction
	e.list("/reactions", &out)
	return out
}

// SendRaw posts a user's message with the given extra fields, such as a
// service message's migrate_to_chat_id, and returns its message_id.
func (e *Emulator) SendRaw(chat Chat, from User, fields map[string]any) int {
	e.t.Helper()
	body := map[string]any{"botToken": e.Token, "chat": chat.json(), "from": from.json(), "date": time.Now().Unix()}
	for k, v := range fields {
		body[k] = v
	}
	var sent struct {
		Result struct {
			MessageID int `json:"message_id"`
		} `json:"result"`
	}
	if err := json.Unmarshal(e.post("/sendMessage", body), &sent); err != nil {
		e.t.Fatalf("emulator sendMessage: %v", err)
	}
	return sent.Result.MessageID
}

// Update queues a raw update of a kind the emulator does not make itself
// (chat_member, edited_message), delivered by the next getUpdates if the
// bot asked for its kind, as Telegram does. update_id is set here.
func (e *Emulator) Update(update map[string]any) {
	e.t.Helper()
	e.post("/update", map[string]any{"botToken": e.Token, "update": update})
}

// Leave has from leave chat as Telegram tells a bot: the service message
// with left_chat_member, and, to a bot that asked for them, a chat_member
// update (status "left").
func (e *Emulator) Leave(chat Chat, from User) {
	e.t.Helper()
	e.SendRaw(chat, from, map[string]any{"left_chat_member": from.json()})
	e.memberUpdate(chat, from, from, "left")
}

// Remove has admin remove who from chat, told by a chat_member update
// alone (status "kicked"), as in a supergroup that hides service
// messages about members.
func (e *Emulator) Remove(chat Chat, admin, who User) {
	e.t.Helper()
	e.memberUpdate(chat, admin, who, "kicked")
}

func (e *Emulator) memberUpdate(chat Chat, by, who User, status string) {
	e.t.Helper()
	member := func(status string) map[string]any { return map[string]any{"user": who.json(), "status": status} }
	e.Update(map[string]any{"chat_member": map[string]any{"chat": chat.json(), "from": by.json(), "date": time.Now().Unix(),
		"old_chat_member": member("member"), "new_chat_member": member(status)}})
}

// SendFile posts a user's message carrying a file, as Telegram delivers
// one: kind "photo" (one size, width×height), "voice" (a voice note) or
// "document" (a file, such as a picture sent uncompressed); caption is
// its text, and replyTo, when not 0, the message it replies to. The bot
// fetches the bytes with getFile, as on Telegram.
func (e *Emulator) SendFile(chat Chat, from User, kind, name, mime string, data []byte, caption string, replyTo int) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"botToken": e.Token, "name": name, "mime": mime, "data": data})
	resp, err := http.Post(e.URL+"/userFile", "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("emulator userFile: %v", err)
	}
	var out struct {
		Result struct {
			FileID string `json:"file_id"`
		} `json:"result"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || out.Result.FileID == "" {
		e.t.Fatalf("emulator userFile: %v", err)
	}
	id := out.Result.FileID
	fields := map[string]any{"caption": caption}
	switch kind {
	case "photo":
		w, h := 0, 0
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			w, h = cfg.Width, cfg.Height
		}
		fields["photo"] = []map[string]any{{"file_id": id, "file_unique_id": id, "width": w, "height": h, "file_size": len(data)}}
	case "voice":
		fields["voice"] = map[string]any{"file_id": id, "file_unique_id": id, "duration": 3, "mime_type": mime, "file_size": len(data)}
	default:
		fields["document"] = map[string]any{"file_id": id, "file_unique_id": id, "file_name": name, "mime_type": mime, "file_size": len(data)}
	}
	if replyTo != 0 {
		fields["reply_to_message"] = map[string]any{"message_id": replyTo, "chat": chat.json(), "date": time.Now().Unix()}
	}
	e.SendRaw(chat, from, fields)
}

// Press presses an option (inline button) with data under the bot's
// message messageID in chat.
func (e *Emulator) Press(chat Chat, from User, messageID int, data string) {
	e.t.Helper()
	e.post("/sendCallback", map[string]any{
		"botToken": e.Token, "from": from.json(), "data": data,
		"message": map[string]any{"message_id": messageID, "chat": chat.json(), "date": time.Now().Unix()},
	})
}

// Message is one message the bot sent, as the emulator received it.
type Message struct {
	ID     int
	ChatID int64
	// Text is the message's text, or a document's caption.
	Text    string
	ReplyTo int
	// Thread is the forum topic the message was sent to, 0 for none.
	Thread  int
	Buttons []Button
	// Document is the file sent (sendDocument), nil for a text message;
	// Photo, Audio, Voice and Video the media sent (sendPhoto, sendAudio,
	// sendVoice, sendVideo).
	Document                   *Document
	Photo, Audio, Voice, Video *Document
}

// Document is a file the bot sent, as Telegram describes it; Download
// fetches its bytes.
type Document struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MIMEType string `json:"mime_type"`
	FileSize int    `json:"file_size"`
}

// Download fetches a file the bot sent, as a client does: getFile for its
// path, then the file itself.
func (e *Emulator) Download(fileID string) []byte {
	e.t.Helper()
	data, _ := json.Marshal(map[string]string{"file_id": fileID})
	resp, err := http.Post(e.URL+"/bot"+e.Token+"/getFile", "application/json", bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("emulator getFile: %v", err)
	}
	var file struct {
		OK     bool `json:"ok"`
		Result struct {
			Path string `json:"file_path"`
		} `json:"result"`
	}
	err = json.NewDecoder(resp.Body).Decode(&file)
	resp.Body.Close()
	if err != nil || !file.OK {
		e.t.Fatalf("emulator getFile %s: %v (ok %v)", fileID, err, file.OK)
	}
	resp, err = http.Get(e.URL + "/file/bot" + e.Token + "/" + file.Result.Path)
	if err != nil {
		e.t.Fatalf("emulator file %s: %v", fileID, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("emulator file %s: %s %v", fileID, resp.Status, err)
	}
	return body
}

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// BotMessages returns every message the bot has sent, oldest first.
func (e *Emulator) BotMessages() []Message {
	e.t.Helper()
	data, _ := json.Marshal(map[string]string{"token": e.Token})
	resp, err := http.Post(e.URL+"/getUpdatesHistory", "application/json", bytes.NewReader(data))
	if err != nil {
		e.t.Fatalf("emulator history: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Result []struct {
			MessageID int             `json:"messageId"`
			Message   json.RawMessage `json:"message"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("emulator history: %v", err)
	}
	var msgs []Message
	for _, r := range out.Result {
		var m struct {
			ChatID      any        `json:"chat_id"` // the bot's request: a string or a number
			Text        string     `json:"text"`
			Caption     string     `json:"caption"`
			Document    *Document  `json:"document"`
			Photo       []Document `json:"photo"`
			Audio       *Document  `json:"audio"`
			Voice       *Document  `json:"voice"`
			Video       *Document  `json:"video"`
			ReplyTo     any        `json:"reply_to_message_id"`
			Thread      any        `json:"message_thread_id"`
			ReplyMarkup *struct {
				InlineKeyboard [][]Button `json:"inline_keyboard"`
			} `json:"reply_markup"`
		}
		if err := json.Unmarshal(r.Message, &m); err != nil || m.ChatID == nil {
			continue // a user's message
		}
		msg := Message{ID: r.MessageID, Text: m.Text, Document: m.Document, Audio: m.Audio, Voice: m.Voice, Video: m.Video}
		if len(m.Photo) > 0 {
			msg.Photo = &m.Photo[len(m.Photo)-1]
		}
		if m.Document != nil || msg.Photo != nil || m.Audio != nil || m.Voice != nil || m.Video != nil {
			msg.Text = m.Caption
		}
		msg.ChatID, _ = strconv.ParseInt(fmt.Sprint(m.ChatID), 10, 64)
		if m.ReplyTo != nil {
			msg.ReplyTo, _ = strconv.Atoi(fmt.Sprint(m.ReplyTo))
		}
		if m.Thread != nil {
			msg.Thread, _ = strconv.Atoi(fmt.Sprint(m.Thread))
		}
		if m.ReplyMarkup != nil {
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				msg.Buttons = append(msg.Buttons, row...)
			}
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

// WaitFor polls until cond holds over the bot's messages, or fails the
// test after timeout.
func (e *Emulator) WaitFor(timeout time.Duration, what string, cond func([]Message) bool) []Message {
	e.t.Helper()
	var msgs []Message
	testkit.Eventually(e.t, timeout, what, func() bool { msgs = e.BotMessages(); return cond(msgs) }, func() string {
		var texts []string
		for _, m := range msgs {
			texts = append(texts, fmt.Sprintf("%d: %q", m.ID, m.Text))
		}
		return "the bot sent:\n" + strings.Join(texts, "\n")
	})
	return msgs
}

// Uploads counts the media files the bot uploaded (sendPhoto, sendAudio,
// sendVoice, sendVideo with the bytes, not a file_id).
func (e *Emulator) Uploads() int {
	e.t.Helper()
	var got []struct {
		FileID string `json:"file_id"`
	}
	e.list("/uploads", &got)
	return len(got)
}
