package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/mediatest"
	"github.com/huddlebot/huddle/internal/testkit/wafake"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// eventLog is a handler that keeps what it is given.
type eventLog struct {
	mu  sync.Mutex
	evs []bot.Event
}

func (l *eventLog) HandleEvent(_ context.Context, ev bot.Event) error {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
	return nil
}

// wait returns the first event for which match holds, waiting for it.
func (l *eventLog) wait(t testing.TB, what string, match func(bot.Event) bool) bot.Event {
	t.Helper()
	var found bot.Event
	testkit.Eventually(t, 10*time.Second, what, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, ev := range l.evs {
			if match(ev) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

// onWhatsApp is the adapter with its own whatsmeow client connected to a
// WhatsApp server on loopback (wafake), and the three nurses' phones,
// real whatsmeow clients too, with the bot in the phone-number group.
// Nothing of whatsmeow is replaced: sending, encryption, uploads,
// downloads and poll votes run as against WhatsApp.
type onWhatsApp struct {
	w      *WhatsApp
	srv    *wafake.Server
	out    *memOutbox
	log    *eventLog
	phones []*wafake.Phone
	bot    types.JID // the bot's device
	path   string    // its session
	stop   func()
}

func newOnWhatsApp(t *testing.T) *onWhatsApp { return newOnWhatsAppNamed(t, "Huddle") }

// newOnWhatsAppNamed is newOnWhatsApp with the bot's account named
// pushName in its session ("" as a number paired moments ago).
func newOnWhatsAppNamed(t *testing.T, pushName string) *onWhatsApp {
	t.Helper()
	ctx := context.Background()
	srv := wafake.New(t)
	path := filepath.Join(t.TempDir(), "whatsapp.db")
	c, err := sqlstore.New(ctx, "sqlite", sessionDSN(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := wafake.LinkDevice(ctx, c, botPN, pushName)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	o := &onWhatsApp{srv: srv, bot: *dev.ID, log: &eventLog{},
		out: &memOutbox{sent: map[string]bot.OutboxItem{}, known: map[string]bool{}}}
	members := []types.JID{botPN}
	for _, n := range nurses {
		o.phones = append(o.phones, srv.Phone(t, n.pn.User, n.name))
		members = append(members, n.pn)
	}
	srv.Group(pnGroup, "Ward 4 nurses", members, botPN, nurses[0].pn)
	srv.LIDGroup(group, "Ward 3 nurses", members, botPN, nurses[0].pn)
	o.path = path
	o.start(t)
	return o
}

// start runs an adapter on the bot's session until the test's end or
// stop, and waits until it is connected.
func (o *onWhatsApp) start(t *testing.T) {
	t.Helper()
	w, err := New(context.Background(), Config{SessionDB: o.path, ChatGap: -1, Jitter: -1, PerMinute: 1e6, Outbox: o.out,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o.srv.Attach(w.cli)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(runCtx, o.log)
	}()
	var once sync.Once
	o.w, o.stop = w, func() {
		once.Do(func() {
			cancel()
			<-done
			w.Close()
		})
	}
	t.Cleanup(o.stop)
	testkit.Eventually(t, 10*time.Second, "the bot to connect", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.connected
	})
}

// restart stops the adapter and starts another on its session, as a
// new process: nothing is left in memory, whatsmeow's included.
func (o *onWhatsApp) restart(t *testing.T) {
	t.Helper()
	o.stop()
	o.start(t)
}

// send sends m through the adapter and records it in the outbox, as the
// sender does.
func (o *onWhatsApp) send(t *testing.T, m bot.Outbound) string {
	t.Helper()
	m.Channel = Name
	id, err := o.w.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	o.out.mu.Lock()
	o.out.sent[id] = bot.OutboxItem{Outbound: m}
	o.out.mu.Unlock()
	return id
}

// TestPollOnTheRealPath sends a quiz's poll through whatsmeow's own
// SendMessage to a group addressed by phone numbers and to one addressed
// by LIDs; each nurse's phone decrypts it, and Brigitte votes with her
// phone's BuildPollVote; the bot's whatsmeow decrypts the vote
// (DecryptPollVote, with the secret its SendMessage stored under the
// identity the poll went out with) and the adapter maps it to the option.
// This is the path on which a fake SendMessage once hid lost votes in LID
// groups. (whatsmeow's phones vote under their number even in a LID group,
// where WhatsApp's apps vote under their LID: the adapter tries both.)
func TestPollOnTheRealPath(t *testing.T) {
	o := newOnWhatsApp(t)
	ctx := context.Background()
	for _, chat := range []types.JID{pnGroup, group} {
		t.Run(chat.User, func(t *testing.T) {
			id := o.send(t, bot.Outbound{ChatID: chat.String(), Key: "quiz:" + chat.User, Text: "Which is first?",
				Options: []bot.Option{{Label: "1. Oxytocin", Data: "q1.1.1"}, {Label: "2. Ergometrine", Data: "q1.1.2"}}})
			var poll *events.Message
			for i, p := range o.phones {
				m := p.Message(t, chat, func(m *events.Message) bool { return m.Info.ID == id && m.Message.GetPollCreationMessage() != nil })
				pc := m.Message.GetPollCreationMessage()
				var names []string
				for _, opt := range pc.GetOptions() {
					names = append(names, opt.GetOptionName())
				}
				want := botPN.User
				if chat == group {
					want = wafake.LID(botPN).User // a LID group sees the bot by its LID
				}
				if pc.GetName() != "Which is first?" || !slices.Equal(names, []string{"1. Oxytocin", "2. Ergometrine"}) || pc.GetSelectableOptionsCount() != 1 ||
					m.Info.Sender.User != want {
					t.Errorf("%s's phone shows the poll %q %q (one choice: %v) from %s", nurses[i].name, pc.GetName(), names, pc.GetSelectableOptionsCount(), m.Info.Sender)
				}
				if i == 1 {
					poll = m
				}
			}
			vote, err := o.phones[1].BuildPollVote(ctx, &poll.Info, []string{"2. Ergometrine"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.phones[1].SendMessage(ctx, chat, vote); err != nil {
				t.Fatal(err)
			}
			ev := o.log.wait(t, "Brigitte's vote", func(ev bot.Event) bool { return ev.Kind == bot.Vote && ev.MessageID == id })
			if !slices.Equal(ev.Choices, []string{"q1.1.2"}) || ev.ChatID != chat.String() || ev.SenderName != "Brigitte" {
				t.Errorf("the vote became %+v; want Brigitte's vote for q1.1.2 on poll %s", ev, id)
			}
		})
	}
}

// TestMediaOnTheRealPath sends a picture, a voice note and a video through
// whatsmeow's own Upload and SendMessage: each nurse's phone downloads and
// decrypts the very bytes sent, and sees the fields WhatsApp's clients
// show them by (checked field by field in TestSendImage and
// TestSendSoundAndVideo); the server holds the files only encrypted, and
// was told each message's media type, as WhatsApp's clients tell it.
func TestMediaOnTheRealPath(t *testing.T) {
	o := newOnWhatsApp(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 640, 480)), nil); err != nil {
		t.Fatal(err)
	}
	pic := &bot.File{Name: "rdt.jpg", MIMEType: "image/jpeg", Data: buf.Bytes()}
	voice := &bot.File{Name: "talk.ogg", MIMEType: "audio/ogg", Data: mediatest.Opus(4.4, func(at float64) int { return 20 + int(60*at) })}
	video := &bot.File{Name: "demo.mp4", MIMEType: "video/mp4", Data: mediatest.MP4(640, 360, 12), Poster: buf.Bytes()}
	picID := o.send(t, bot.Outbound{ChatID: pnGroup.String(), Key: "pic", File: pic, Text: "Positive or negative?"})
	voiceID := o.send(t, bot.Outbound{ChatID: pnGroup.String(), Key: "voice", File: voice})
	videoID := o.send(t, bot.Outbound{ChatID: pnGroup.String(), Key: "video", File: video, Text: "Watch the steps"})
	for i, p := range o.phones {
		m := p.Message(t, pnGroup, func(m *events.Message) bool { return m.Info.ID == picID && m.Message.GetImageMessage() != nil })
		img := m.Message.GetImageMessage()
		if img.GetCaption() != "Positive or negative?" || img.GetMimetype() != "image/jpeg" || img.GetWidth() != 640 || len(img.GetJPEGThumbnail()) == 0 {
			t.Errorf("%s's phone shows the picture as %v", nurses[i].name, img)
		}
		data, err := p.Download(ctx, img)
		if err != nil || !bytes.Equal(data, pic.Data) {
			t.Errorf("%s's phone downloaded %d bytes (%v); want the %d sent", nurses[i].name, len(data), err, len(pic.Data))
		}
		m = p.Message(t, pnGroup, func(m *events.Message) bool { return m.Info.ID == voiceID && m.Message.GetAudioMessage() != nil })
		a := m.Message.GetAudioMessage()
		if !a.GetPTT() || a.GetMimetype() != "audio/ogg; codecs=opus" || a.GetSeconds() != 4 || len(a.GetWaveform()) != 64 {
			t.Errorf("%s's phone shows the voice note as %v", nurses[i].name, a)
		}
		data, err = p.Download(ctx, a)
		if err != nil || !bytes.Equal(data, voice.Data) {
			t.Errorf("%s's phone downloaded %d bytes of the voice note (%v); want the %d sent", nurses[i].name, len(data), err, len(voice.Data))
		}
		m = p.Message(t, pnGroup, func(m *events.Message) bool { return m.Info.ID == videoID && m.Message.GetVideoMessage() != nil })
		v := m.Message.GetVideoMessage()
		if v.GetCaption() != "Watch the steps" || v.GetWidth() != 640 || v.GetHeight() != 360 || v.GetSeconds() != 12 || len(v.GetJPEGThumbnail()) == 0 {
			t.Errorf("%s's phone shows the video as %v", nurses[i].name, v)
		}
		data, err = p.Download(ctx, v)
		if err != nil || !bytes.Equal(data, video.Data) {
			t.Errorf("%s's phone downloaded %d bytes of the video (%v); want the %d sent", nurses[i].name, len(data), err, len(video.Data))
		}
	}
	kinds := map[string]string{}
	for _, m := range o.srv.Messages() {
		kinds[m.ID] = m.Type + "/" + m.MediaType
	}
	if kinds[picID] != "media/image" || kinds[voiceID] != "media/ptt" || kinds[videoID] != "media/video" {
		t.Errorf("the server was told %q for the picture, %q for the voice note and %q for the video; want media/image, media/ptt and media/video",
			kinds[picID], kinds[voiceID], kinds[videoID])
	}
}

// TestInboundOnTheRealPath: what the nurses' phones send reaches the
// adapter through whatsmeow's decryption and, for files, its download:
// a text, and a voice note whose bytes arrive whole.
func TestInboundOnTheRealPath(t *testing.T) {
	o := newOnWhatsApp(t)
	ctx := context.Background()
	chinedu := o.phones[2]
	if _, err := chinedu.SendMessage(ctx, pnGroup, &waE2E.Message{Conversation: proto.String("Good morning ward 4")}); err != nil {
		t.Fatal(err)
	}
	ev := o.log.wait(t, "Chinedu's text", func(ev bot.Event) bool { return ev.Text == "Good morning ward 4" })
	if ev.ChatID != pnGroup.String() || ev.SenderName != "Chinedu" || ev.ChatType != bot.Group {
		t.Errorf("the text became %+v", ev)
	}
	voice := mediatest.Opus(3, func(float64) int { return 40 })
	sendVoiceNote(t, chinedu, voice, func(types.MessageID, whatsmeow.UploadResponse) {})
	ev = o.log.wait(t, "Chinedu's voice note", func(ev bot.Event) bool { return ev.File != nil })
	if !bytes.Equal(ev.File.Data, voice) || ev.File.MIMEType != "audio/ogg" {
		t.Errorf("the voice note arrived as %d bytes of %q; want the %d sent", len(ev.File.Data), ev.File.MIMEType, len(voice))
	}
}

// TestRetryAfterRestart: a phone that cannot decrypt a message (here,
// Brigitte's, which lost its keys while offline) asks the bot for it
// again; the bot, restarted meanwhile, has nothing of it in memory, and
// answers from the outbox: a picture rebuilt and uploaded afresh, which
// her phone decrypts and downloads (before, a file message got no answer,
// and it never showed), and a text as first sent.
func TestRetryAfterRestart(t *testing.T) {
	o := newOnWhatsApp(t)
	ctx := context.Background()
	brigitte := o.phones[1]
	o.send(t, bot.Outbound{ChatID: pnGroup.String(), Key: "hello", Text: "Welcome to ward 4"})
	brigitte.Message(t, pnGroup, func(m *events.Message) bool { return m.Message.GetConversation() == "Welcome to ward 4" })
	brigitte.Disconnect()
	brigitte.LoseKeys(t)

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 320, 240)), nil); err != nil {
		t.Fatal(err)
	}
	pic := &bot.File{Name: "chart.jpg", MIMEType: "image/jpeg", Data: buf.Bytes()}
	picID := o.send(t, bot.Outbound{ChatID: pnGroup.String(), Key: "pic", File: pic, Text: "Read the chart"})
	textID := o.send(t, bot.Outbound{ChatID: pnGroup.String(), Key: "q", Text: "What is the first sign?"})
	o.phones[0].Message(t, pnGroup, func(m *events.Message) bool { return m.Info.ID == textID })
	o.restart(t)

	brigitte.Reconnect(t)
	m := brigitte.Message(t, pnGroup, func(m *events.Message) bool { return m.Info.ID == picID && m.Message.GetImageMessage() != nil })
	if got := m.Message.GetImageMessage().GetCaption(); got != "Read the chart" {
		t.Errorf("the picture came again with the caption %q", got)
	}
	data, err := brigitte.Download(ctx, m.Message.GetImageMessage())
	if err != nil || !bytes.Equal(data, pic.Data) {
		t.Errorf("Brigitte downloaded %d bytes (%v); want the %d sent", len(data), err, len(pic.Data))
	}
	m = brigitte.Message(t, pnGroup, func(m *events.Message) bool { return m.Info.ID == textID && m.Message.GetConversation() != "" })
	if got := m.Message.GetConversation(); got != "What is the first sign?" {
		t.Errorf("the text came again as %q", got)
	}
}

// sendVoiceNote sends a voice note from phone p to the group, uploaded
// by its whatsmeow as a phone does; before it goes, prepare is given its
// id and where the file is.
func sendVoiceNote(t *testing.T, p *wafake.Phone, data []byte, prepare func(types.MessageID, whatsmeow.UploadResponse)) {
	t.Helper()
	ctx := context.Background()
	up, err := p.Upload(ctx, data, whatsmeow.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	id := p.GenerateMessageID()
	prepare(id, up)
	if _, err := p.SendMessage(ctx, pnGroup, &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
		URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256,
		FileLength: &up.FileLength, Mimetype: proto.String("audio/ogg; codecs=opus"), PTT: proto.Bool(true), Seconds: proto.Uint32(3),
	}}, whatsmeow.SendRequestExtra{ID: id}); err != nil {
		t.Fatal(err)
	}
}

// TestDownloadOffTheHandler: a voice note whose download hangs (a slow
// media server) holds nothing: the texts sent after it, in its group and
// by others, are handled meanwhile (before, the download ran inside
// whatsmeow's event handler, and every later message of every chat waited
// behind it for up to a minute). The voice note waits in the store, and
// arrives whole once its download ends; then it is gone from the store.
func TestDownloadOffTheHandler(t *testing.T) {
	o := newOnWhatsApp(t)
	ctx := context.Background()
	voice := mediatest.Opus(3, func(float64) int { return 40 })
	var release func()
	sendVoiceNote(t, o.phones[2], voice, func(_ types.MessageID, up whatsmeow.UploadResponse) { release = o.srv.Stall(up.DirectPath) })
	defer release()
	for i, p := range o.phones {
		if _, err := p.SendMessage(ctx, pnGroup, &waE2E.Message{Conversation: proto.String(fmt.Sprintf("text %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range o.phones {
		o.log.wait(t, fmt.Sprintf("text %d while the voice note downloads", i), func(ev bot.Event) bool { return ev.Text == fmt.Sprintf("text %d", i) })
	}
	o.log.mu.Lock()
	for _, ev := range o.log.evs {
		if ev.File != nil {
			t.Errorf("the voice note was handled before its download ended: %+v", ev.File)
		}
	}
	o.log.mu.Unlock()
	if keys := o.out.parkedKeys(); len(keys) != 1 {
		t.Fatalf("parked %q; want the voice note, waiting for its file", keys)
	}
	release()
	ev := o.log.wait(t, "the voice note", func(ev bot.Event) bool { return ev.File != nil })
	if !bytes.Equal(ev.File.Data, voice) {
		t.Errorf("the voice note arrived as %d bytes; want the %d sent", len(ev.File.Data), len(voice))
	}
	testkit.Eventually(t, 5*time.Second, "the voice note to leave the store", func() bool { return len(o.out.parkedKeys()) == 0 })
}

// TestParkedAcrossARestart: the bot stops while a voice note's download
// hangs; the message was acknowledged (WhatsApp will not deliver it
// again), and the next process finds it in the store, fetches it and
// hands it on.
func TestParkedAcrossARestart(t *testing.T) {
	o := newOnWhatsApp(t)
	voice := mediatest.Opus(2, func(float64) int { return 30 })
	var release func()
	sendVoiceNote(t, o.phones[0], voice, func(_ types.MessageID, up whatsmeow.UploadResponse) { release = o.srv.Stall(up.DirectPath) })
	testkit.Eventually(t, 10*time.Second, "the voice note to be parked", func() bool { return len(o.out.parkedKeys()) == 1 })
	o.stop()
	release()
	if len(o.out.parkedKeys()) != 1 {
		t.Fatal("the voice note left the store though it was never handled")
	}
	o.start(t)
	ev := o.log.wait(t, "the voice note after the restart", func(ev bot.Event) bool { return ev.File != nil })
	if !bytes.Equal(ev.File.Data, voice) || ev.SenderName != "Amina" {
		t.Errorf("the voice note arrived as %d bytes from %q; want the %d Amina sent", len(ev.File.Data), ev.SenderName, len(voice))
	}
	testkit.Eventually(t, 5*time.Second, "the voice note to leave the store", func() bool { return len(o.out.parkedKeys()) == 0 })
}

// TestFileAskedOfThePhoneAgain: a member's voice note that WhatsApp's
// media server no longer holds (410, as after weeks) is asked of her
// phone again (whatsmeow's SendMediaRetryReceipt, encrypted with the
// file's key); her phone uploads it anew, and the bot downloads it from
// its new place. When no phone holds it, the note comes without its
// bytes (Huddle asks the member for it again) instead of waiting.
func TestFileAskedOfThePhoneAgain(t *testing.T) {
	o := newOnWhatsApp(t)
	voice := mediatest.Opus(3, func(float64) int { return 50 })
	sendVoiceNote(t, o.phones[1], voice, func(id types.MessageID, up whatsmeow.UploadResponse) {
		o.srv.Expire(up.DirectPath, 410)
		o.srv.Holds(id, up.MediaKey, up.DirectPath)
	})
	ev := o.log.wait(t, "the voice note", func(ev bot.Event) bool { return ev.File != nil })
	if !bytes.Equal(ev.File.Data, voice) {
		t.Errorf("the voice note arrived as %d bytes; want the %d sent, uploaded again", len(ev.File.Data), len(voice))
	}

	lost := mediatest.Opus(1, func(float64) int { return 20 })
	sendVoiceNote(t, o.phones[2], lost, func(_ types.MessageID, up whatsmeow.UploadResponse) { o.srv.Expire(up.DirectPath, 404) })
	ev = o.log.wait(t, "the lost voice note", func(ev bot.Event) bool { return ev.File != nil && ev.SenderName == "Chinedu" })
	if ev.File.Data != nil {
		t.Errorf("a file no one holds arrived with %d bytes", len(ev.File.Data))
	}
}

// TestPresenceOnTheRealPath: a number paired moments ago has no push name
// in its session, and whatsmeow refuses presence without one
// (ErrNoPushName); the adapter shows the configured name instead, so the
// bot is online (typing indicators and read receipts need it), and
// WhatsApp's server is told the name.
func TestPresenceOnTheRealPath(t *testing.T) {
	o := newOnWhatsAppNamed(t, "")
	testkit.Eventually(t, 10*time.Second, "the bot's presence with its name", func() bool { return o.srv.Name(botPN.User) == "Huddle" })
}

// TestRemovedOnTheRealPath: an admin removes the bot from the group;
// whatsmeow reads WhatsApp's group notification, the adapter hands on
// BotRemoved (which the store keeps: TestRemovedRemembered), and sends
// nothing more there.
func TestRemovedOnTheRealPath(t *testing.T) {
	o := newOnWhatsApp(t)
	o.srv.Remove(pnGroup, nurses[0].pn, botPN)
	ev := o.log.wait(t, "the bot's removal", func(ev bot.Event) bool { return ev.Kind == bot.BotRemoved })
	if ev.ChatID != pnGroup.String() {
		t.Errorf("removed from %q; want %s", ev.ChatID, pnGroup)
	}
	_, err := o.w.Send(context.Background(), bot.Outbound{Channel: Name, ChatID: pnGroup.String(), Key: "after", Text: "Still here?"})
	var perm *bot.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("a message to the group the bot was removed from: %v; want a permanent refusal", err)
	}
}

// TestBurstOfVoiceNotes: seventy voice notes arrive while the media
// server hangs, more than the fetchers' queue holds (64, and two being
// fetched); a text sent after them is handled meanwhile (before, the
// seventieth waited for room in the queue inside whatsmeow's handler,
// and every chat's messages with it), the notes beyond the queue wait in
// the store, and once the server answers all seventy arrive, each once.
func TestBurstOfVoiceNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("seventy voice notes")
	}
	o := newOnWhatsApp(t)
	ctx := context.Background()
	release := o.srv.Stall("*")
	defer release()
	const n = 70
	for i := range n {
		sendVoiceNote(t, o.phones[i%3], mediatest.Opus(1, func(float64) int { return 10 + i }), func(types.MessageID, whatsmeow.UploadResponse) {})
	}
	testkit.Eventually(t, 20*time.Second, "every voice note to be parked", func() bool { return len(o.out.parkedKeys()) == n })
	if _, err := o.phones[0].SendMessage(ctx, pnGroup, &waE2E.Message{Conversation: proto.String("after the burst")}); err != nil {
		t.Fatal(err)
	}
	o.log.wait(t, "the text after the burst, while the notes wait", func(ev bot.Event) bool { return ev.Text == "after the burst" })
	release()
	testkit.Eventually(t, 60*time.Second, "every voice note to arrive", func() bool {
		o.log.mu.Lock()
		defer o.log.mu.Unlock()
		files := 0
		for _, ev := range o.log.evs {
			if ev.File != nil && ev.File.Data != nil {
				files++
			}
		}
		return files >= n
	})
	o.log.mu.Lock()
	seen := map[string]int{}
	for _, ev := range o.log.evs {
		if ev.File != nil {
			seen[ev.ID]++
		}
	}
	o.log.mu.Unlock()
	for id, k := range seen {
		if k != 1 {
			t.Errorf("voice note %s handed on %d times", id, k)
		}
	}
	if len(seen) != n {
		t.Errorf("%d voice notes handed on; want %d", len(seen), n)
	}
	testkit.Eventually(t, 10*time.Second, "the store to be empty", func() bool { return len(o.out.parkedKeys()) == 0 })
}
