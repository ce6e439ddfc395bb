package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/adapters/telegram"
	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/cases"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/mediatest"
	"github.com/huddlebot/huddle/internal/testkit/phototest"
	"github.com/huddlebot/huddle/internal/testkit/tgemu"
	"github.com/huddlebot/huddle/privacy"
)

// TestGroupQuizThroughEmulator runs a quiz lesson in a Telegram group of
// three, through the real go-telegram-bot-api client against the Bot API
// emulator, and checks the bot's actual messages and the stored scores.
func TestGroupQuizThroughEmulator(t *testing.T) {
	emu, tg := emulated(t)
	app := huddletest.Start(t, huddletest.Options{}, tg)

	group := tgemu.Chat{ID: -1001, Type: "group", Title: "Ward 7 midwives"}
	amina := tgemu.User{ID: 11, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 12, FirstName: "Brigitte", Lang: "fr"}
	chinedu := tgemu.User{ID: 13, FirstName: "Chinedu"}

	// Everyone says hello first, so the bot knows the group's members.
	emu.Send(group, brigitte, "Bonjour")
	emu.Send(group, chinedu, "Hi all")
	emu.Send(group, amina, "/lesson@TestNameBot quick-quiz")
	msgs := emu.WaitFor(10*time.Second, "the first question", hasText("Upper limit of a normal adult respiratory rate"))
	if got := msgs[0].Text; got != "📘 Quick triage quiz" {
		t.Errorf("first message = %q, want the lesson title", got)
	}
	for _, m := range msgs {
		if m.ChatID != group.ID {
			t.Errorf("message %q went to chat %d, want the group", m.Text, m.ChatID)
		}
	}

	// Numeric question: typed answers.
	emu.Send(group, amina, "20")
	emu.Send(group, brigitte, "19,5 /min")
	emu.Send(group, chinedu, "30")
	msgs = emu.WaitFor(10*time.Second, "the second question", hasText("Who is seen first?"))
	q := last(msgs, "Who is seen first?")
	if len(q.Buttons) != 3 {
		t.Fatalf("question has %d buttons, want 3: %+v", len(q.Buttons), q.Buttons)
	}
	for _, b := range q.Buttons {
		if len(b.Data) > 64 {
			t.Errorf("callback data %q is over Telegram's 64 bytes", b.Data)
		}
	}
	feedback := find(msgs, "Brigitte")
	if !strings.Contains(feedback.Text, "bonne réponse") {
		t.Errorf("Brigitte's feedback = %q, want it in French, correct", feedback.Text)
	}
	if !strings.Contains(find(msgs, "Chinedu: not quite").Text, "20 ± 2") {
		t.Errorf("Chinedu's feedback should give the answer: %q", find(msgs, "Chinedu").Text)
	}

	// Choice question: button presses, one member pressing twice.
	emu.Press(group, amina, q.ID, q.Buttons[1].Data)
	emu.Press(group, amina, q.ID, q.Buttons[0].Data)
	emu.Press(group, brigitte, q.ID, q.Buttons[0].Data)
	emu.Press(group, chinedu, q.ID, q.Buttons[1].Data)
	emu.WaitFor(10*time.Second, "everyone answered", hasText("Everyone has answered: 2 of 3 correct."))
	emu.WaitFor(10*time.Second, "the pause", hasText("Take three seconds"))
	app.Clock.Advance(3 * time.Second)
	msgs = emu.WaitFor(10*time.Second, "the end", hasText("Members who took part"))

	// The bot's messages, in order, each exactly once.
	var texts []string
	for _, m := range msgs {
		texts = append(texts, firstLine(m.Text))
	}
	want := []string{
		"📘 Quick triage quiz",
		"Three quick questions on triage.",
		"❓ Upper limit of a normal adult respiratory rate, per minute?",
		"✅ Amina: correct!",
		"✅ Brigitte: bonne réponse !",
		"❌ Chinedu: not quite. The answer: 20 ± 2.",
		"Everyone has answered: 2 of 3 correct.",
		"❓ Who is seen first?",
		"✅ Amina: correct!",
		"Amina: you have answered this one already.",
		"❌ Brigitte: pas tout à fait. La réponse : 2. Une femme en travail qui saigne abondamment.",
		"✅ Chinedu: correct!",
		"Everyone has answered: 2 of 3 correct.",
		"Take three seconds to think about your triage area.",
		"Done. Thank you!",
		"🏁 Members who took part: 3; passed: 3. Send /progress to see your score.",
	}
	if !slices.Equal(texts, want) {
		t.Errorf("bot messages:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	// Feedback replies to the member's message.
	if fb := find(msgs, "Amina: correct"); fb.ReplyTo == 0 {
		t.Errorf("feedback %q is not a reply", fb.Text)
	}

	// Stored scores.
	for _, c := range []struct {
		user           string
		correct, total int
	}{{"11", 2, 2}, {"12", 1, 2}, {"13", 1, 2}} {
		rows := app.Progress(t, "telegram", c.user)
		if len(rows) != 1 || rows[0].Correct != c.correct || rows[0].Answered != c.total || rows[0].Status != "done" {
			t.Errorf("user %s progress = %+v, want %d/%d correct, done", c.user, rows, c.correct, c.total)
		}
	}
}

// emulated starts the Bot API emulator and a Telegram channel that talks
// to it through the real client.
func emulated(t *testing.T) (*tgemu.Emulator, *telegram.Telegram) {
	t.Helper()
	emu := tgemu.Start(t)
	tg, err := telegram.New(context.Background(), telegram.Config{
		Token: emu.Token, APIEndpoint: emu.URL, PollTimeout: time.Second, Rate: 1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	return emu, tg
}

func hasText(s string) func([]tgemu.Message) bool {
	return func(msgs []tgemu.Message) bool { return find(msgs, s).Text != "" }
}

func find(msgs []tgemu.Message, s string) tgemu.Message {
	for _, m := range msgs {
		if strings.Contains(m.Text, s) {
			return m
		}
	}
	return tgemu.Message{}
}

func last(msgs []tgemu.Message, s string) tgemu.Message {
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Text, s) {
			return msgs[i]
		}
	}
	return tgemu.Message{}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestSupergroupMigration: a group in the middle of a lesson becomes a
// supergroup; the lesson goes on in the new chat with the same members and
// answers.
func TestSupergroupMigration(t *testing.T) {
	emu, tg := emulated(t)
	app := huddletest.Start(t, huddletest.Options{}, tg)
	old := tgemu.Chat{ID: -3001, Type: "group", Title: "Ward 9"}
	super := tgemu.Chat{ID: -1003001, Type: "supergroup", Title: "Ward 9"}
	amina := tgemu.User{ID: 31, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 32, FirstName: "Brigitte"}

	emu.Send(old, brigitte, "hello")
	emu.Send(old, amina, "/lesson quick-quiz")
	emu.WaitFor(10*time.Second, "the first question", hasText("Upper limit"))
	emu.Send(old, amina, "20")
	emu.WaitFor(10*time.Second, "Amina's feedback", hasText("Amina: correct"))
	// Telegram's notices: migrate_to in the old chat, migrate_from in the new.
	emu.SendRaw(old, amina, map[string]any{"migrate_to_chat_id": super.ID})
	emu.SendRaw(super, amina, map[string]any{"migrate_from_chat_id": old.ID})
	emu.Send(super, brigitte, "19")
	msgs := emu.WaitFor(10*time.Second, "the next question in the supergroup", hasText("Who is seen first?"))
	q := last(msgs, "Who is seen first?")
	if q.ChatID != super.ID {
		t.Errorf("next question went to %d, want the supergroup %d", q.ChatID, super.ID)
	}
	if got := find(msgs, "Everyone has answered").Text; got != "Everyone has answered: 2 of 2 correct." {
		t.Errorf("close = %q: Amina's answer in the old group should count", got)
	}
	if rows := app.Progress(t, "telegram", "31"); len(rows) != 1 || rows[0].Correct != 1 {
		t.Errorf("Amina's progress = %+v", rows)
	}
}

// TestCaseThroughEmulator runs a case discussion on Telegram, through the
// real client and the emulator: a case posted in a group, two peer replies
// to it, escalation by a reply, assignment to the less-loaded of two
// mentors (not the one whose turn it is), the mentor's reply in their
// private chat posted in the group as a reply to the case, closing, and
// the case found in the archive by a word of the answer.
func TestCaseThroughEmulator(t *testing.T) {
	emu, tg := emulated(t)
	svc := &cases.Config{Mentors: map[string][]bot.StaffRef{
		"obstetrics": {{Channel: "telegram", ID: "21"}, {Channel: "telegram", ID: "22"}}}}
	huddletest.Start(t, huddletest.Options{Cases: svc}, tg)

	group := tgemu.Chat{ID: -1002, Type: "group", Title: "Ward 7 midwives"}
	amina := tgemu.User{ID: 11, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 12, FirstName: "Brigitte"}
	chinedu := tgemu.User{ID: 13, FirstName: "Chinedu"}
	odhiambo := tgemu.User{ID: 21, FirstName: "Dr Odhiambo"}
	diallo := tgemu.User{ID: 22, FirstName: "Dr Diallo"}
	dm1, dm2 := tgemu.Chat{ID: 21, Type: "private"}, tgemu.Chat{ID: 22, Type: "private"}
	aminaDM := tgemu.Chat{ID: 11, Type: "private"}
	replyTo := func(chat tgemu.Chat, id int) map[string]any {
		return map[string]any{"message_id": id, "chat": map[string]any{"id": chat.ID, "type": chat.Type}, "date": time.Now().Unix()}
	}
	inChat := func(chat tgemu.Chat, text string) func([]tgemu.Message) bool {
		return func(msgs []tgemu.Message) bool {
			return slices.ContainsFunc(msgs, func(m tgemu.Message) bool { return m.ChatID == chat.ID && strings.Contains(m.Text, text) })
		}
	}
	findIn := func(msgs []tgemu.Message, chat tgemu.Chat, text string) tgemu.Message {
		i := slices.IndexFunc(msgs, func(m tgemu.Message) bool { return m.ChatID == chat.ID && strings.Contains(m.Text, text) })
		if i < 0 {
			return tgemu.Message{}
		}
		return msgs[i]
	}

	emu.Send(dm1, odhiambo, "/start")
	emu.Send(dm2, diallo, "/start")
	emu.Send(aminaDM, amina, "/start")
	emu.Send(group, brigitte, "Morning")

	// Two earlier cases: #C1 goes to Dr Odhiambo and stays unanswered;
	// #C2 to Dr Diallo, who answers it. The turn is Dr Odhiambo's again,
	// but he holds a case and Dr Diallo none.
	emu.Send(group, chinedu, "/case Woman of 19, first baby, labour 20 hours, cervix stuck at 6 cm. Refer now?")
	emu.WaitFor(10*time.Second, "case #C1", hasText("Case #C1, shared by Chinedu"))
	emu.Send(group, chinedu, "/escalate 1")
	emu.WaitFor(10*time.Second, "#C1 with Dr Odhiambo", inChat(dm1, "Case #C1 from Ward 7 midwives"))
	emu.Send(group, brigitte, "/case 24 years, BP 160/110 at 38 weeks with headache. Magnesium before transfer?")
	emu.WaitFor(10*time.Second, "case #C2", hasText("Case #C2, shared by Brigitte"))
	emu.Send(group, brigitte, "/escalate 2")
	emu.WaitFor(10*time.Second, "#C2 with Dr Diallo", inChat(dm2, "Case #C2 from Ward 7 midwives"))
	emu.Send(dm2, diallo, "/answer 2 Yes: loading dose of magnesium sulfate before transfer, and an antihypertensive.")
	emu.WaitFor(10*time.Second, "the answer to #C2", hasText("A mentor's answer to case #C2"))

	// The case: posted, two peers reply to it, a third escalates it.
	emu.Send(group, amina, "/case 30 years, para 2, PPH after delivery, 1 L loss despite oxytocin. What next?")
	msgs := emu.WaitFor(10*time.Second, "the case", hasText("Case #C3, shared by Amina"))
	post := find(msgs, "Case #C3, shared by Amina")
	if post.ChatID != group.ID {
		t.Fatalf("the case went to chat %d", post.ChatID)
	}
	emu.SendRaw(group, brigitte, map[string]any{"text": "Massage the uterus and empty the bladder.", "reply_to_message": replyTo(group, post.ID)})
	emu.SendRaw(group, chinedu, map[string]any{"text": "Second IV line and keep her warm.", "reply_to_message": replyTo(group, post.ID)})
	emu.SendRaw(group, chinedu, map[string]any{"text": "/escalate", "reply_to_message": replyTo(group, post.ID)})
	msgs = emu.WaitFor(10*time.Second, "the mentor's copy", hasText("Case #C3 from Ward 7 midwives"))
	mentorCopy := find(msgs, "Case #C3 from Ward 7 midwives")
	if mentorCopy.ChatID != dm2.ID {
		t.Fatalf("case #C3 went to chat %d; want Dr Diallo (%d), who holds no case", mentorCopy.ChatID, dm2.ID)
	}
	for _, reply := range []string{"Brigitte: Massage the uterus", "Chinedu: Second IV line"} {
		if !strings.Contains(mentorCopy.Text, reply) {
			t.Errorf("the mentor's copy lacks %q:\n%s", reply, mentorCopy.Text)
		}
	}

	// The mentor answers by replying; the answer goes to the group as a
	// reply to the case, and the author is told.
	emu.SendRaw(dm2, diallo, map[string]any{"text": "Bimanual compression, tranexamic acid 1 g IV, and call for help.", "reply_to_message": replyTo(dm2, mentorCopy.ID)})
	msgs = emu.WaitFor(10*time.Second, "the answer", hasText("A mentor's answer to case #C3"))
	answer := find(msgs, "A mentor's answer to case #C3")
	if answer.ChatID != group.ID || answer.ReplyTo != post.ID || !strings.Contains(answer.Text, "tranexamic acid") {
		t.Fatalf("answer %+v; want it in the group, replying to the case (%d)", answer, post.ID)
	}
	emu.WaitFor(10*time.Second, "the author told", inChat(aminaDM, "Your case #C3 in Ward 7 midwives has a mentor's answer"))

	// Closed, then found by a word of the answer.
	emu.Send(dm2, diallo, "/close 3")
	emu.WaitFor(10*time.Second, "closed", inChat(dm2, "Case #C3 is closed"))
	emu.Send(aminaDM, amina, "/cases tranexamic")
	msgs = emu.WaitFor(10*time.Second, "the search", inChat(aminaDM, "#C3, Ward 7 midwives"))
	if found := findIn(msgs, aminaDM, "#C3, Ward 7 midwives"); strings.Contains(found.Text, "#C1") {
		t.Errorf("search results %q include the unanswered #C1", found.Text)
	}
}

// TestCaseInForumTopic: in a forum supergroup a case opens a topic of its
// own. The case is posted there; a peer's message in the topic joins its
// thread without replying to anything; /escalate typed in the topic finds
// the case; the mentor's answer goes back into the topic. A chat message
// outside the topic stays out of the thread. In a forum where the bot may
// not manage topics, the case is posted in the group as in any other.
func TestCaseInForumTopic(t *testing.T) {
	emu, tg := emulated(t)
	svc := &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {{Channel: "telegram", ID: "21"}}}, Topics: true}
	huddletest.Start(t, huddletest.Options{Cases: svc}, tg)

	forum := tgemu.Chat{ID: -1005, Type: "supergroup", Title: "Midwives forum", Forum: true}
	amina := tgemu.User{ID: 11, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 12, FirstName: "Brigitte"}
	chinedu := tgemu.User{ID: 13, FirstName: "Chinedu"}
	mentor := tgemu.User{ID: 21, FirstName: "Dr Odhiambo"}
	dm := tgemu.Chat{ID: 21, Type: "private"}

	emu.Send(dm, mentor, "/start")
	emu.Send(forum, amina, "/case 30 years, para 2, PPH after delivery, 1 L loss despite oxytocin. What next?")
	msgs := emu.WaitFor(10*time.Second, "the case", hasText("Case #C1, shared by Amina"))
	topics := emu.Topics()
	if len(topics) != 1 || topics[0].ChatID != "-1005" || !strings.HasPrefix(topics[0].Name, "#C1 30 years, para 2") {
		t.Fatalf("topics = %+v, want one for case #C1 in the forum", topics)
	}
	thread := topics[0].ThreadID
	post := find(msgs, "Case #C1, shared by Amina")
	if post.ChatID != forum.ID || post.Thread != thread {
		t.Fatalf("the case went to chat %d topic %d, want topic %d of the forum", post.ChatID, post.Thread, thread)
	}

	emu.SendInTopic(forum, brigitte, thread, "Check the uterus is contracted; massage it.")
	emu.Send(forum, chinedu, "Off topic: who has the night shift keys?")
	emu.SendInTopic(forum, chinedu, thread, "/escalate")
	msgs = emu.WaitFor(10*time.Second, "the mentor's copy", hasText("Case #C1 from Midwives forum"))
	mentorCopy := find(msgs, "Case #C1 from Midwives forum")
	if !strings.Contains(mentorCopy.Text, "massage it") || strings.Contains(mentorCopy.Text, "night shift") {
		t.Errorf("mentor's copy = %q; want Brigitte's reply in the thread and not the chat outside it", mentorCopy.Text)
	}
	msgs = emu.WaitFor(10*time.Second, "the escalation notice", hasText("Case #C1 is with the obstetrics mentors"))
	if notice := find(msgs, "Case #C1 is with the obstetrics mentors"); notice.Thread != thread {
		t.Errorf("escalation notice %q went to topic %d, want %d", notice.Text, notice.Thread, thread)
	}
	emu.SendRaw(dm, mentor, map[string]any{"text": "Bimanual compression, tranexamic acid 1 g IV, and call for help.",
		"reply_to_message": map[string]any{"message_id": mentorCopy.ID, "chat": map[string]any{"id": dm.ID, "type": "private"}, "date": time.Now().Unix()}})
	msgs = emu.WaitFor(10*time.Second, "the answer", hasText("A mentor's answer to case #C1"))
	answer := find(msgs, "A mentor's answer to case #C1")
	if answer.ChatID != forum.ID || answer.Thread != thread || answer.ReplyTo != post.ID {
		t.Errorf("answer in chat %d topic %d replying to %d; want topic %d, replying to the case (%d)",
			answer.ChatID, answer.Thread, answer.ReplyTo, thread, post.ID)
	}
	for _, m := range msgs {
		if m.ChatID == forum.ID && strings.Contains(m.Text, "#C1") && m.Thread != thread {
			t.Errorf("%q went to topic %d, want the case's topic %d", firstLine(m.Text), m.Thread, thread)
		}
	}

	// A forum where the bot lacks the right: no topic, the case in the group.
	noRights := tgemu.Chat{ID: -1006, Type: "supergroup", Title: "Ward 2 forum", Forum: true}
	emu.DenyTopics(noRights)
	emu.Send(noRights, brigitte, "/case 24 years, first baby, BP 160/110 at 38 weeks with headache. Magnesium now?")
	msgs = emu.WaitFor(10*time.Second, "the second case", hasText("Case #C2, shared by Brigitte"))
	if p := find(msgs, "Case #C2"); p.ChatID != noRights.ID || p.Thread != 0 {
		t.Errorf("case #C2 went to chat %d topic %d, want the group itself", p.ChatID, p.Thread)
	}
	if n := len(emu.Topics()); n != 1 {
		t.Errorf("%d topics, want still 1", n)
	}
}

// TestMyDataThroughEmulator: /mydata in a private chat brings the summary
// and then the JSON file as a Telegram document (sendDocument, multipart),
// which a client downloads whole and which holds the member's answers.
func TestMyDataThroughEmulator(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{}, tg)
	group := tgemu.Chat{ID: -1002, Type: "group", Title: "Ward 3"}
	amina := tgemu.User{ID: 11, FirstName: "Amina"}
	private := tgemu.Chat{ID: 11, Type: "private"}

	emu.Send(group, amina, "/lesson quick-quiz")
	emu.WaitFor(10*time.Second, "the first question", hasText("Upper limit"))
	emu.Send(group, amina, "19")
	emu.WaitFor(10*time.Second, "feedback", hasText("Amina: correct"))
	emu.Send(private, amina, "/mydata")
	msgs := emu.WaitFor(10*time.Second, "the file", func(msgs []tgemu.Message) bool {
		return len(msgs) > 0 && msgs[len(msgs)-1].Document != nil
	})
	// Chats are sent to at once: the group's messages may come between.
	summary, file := find(msgs, "What Huddle holds about you"), msgs[len(msgs)-1]
	if summary.ChatID != private.ID || summary.ID > file.ID {
		t.Errorf("summary %q in chat %d; want it privately", summary.Text, summary.ChatID)
	}
	doc := file.Document
	if file.ChatID != private.ID || !strings.HasPrefix(doc.FileName, "huddle-mydata-") || !strings.HasSuffix(doc.FileName, ".json") ||
		doc.MIMEType != "application/json" || !strings.Contains(file.Text, "JSON") {
		t.Fatalf("file message %+v, document %+v", file, *doc)
	}
	data := emu.Download(doc.FileID)
	if len(data) != doc.FileSize {
		t.Errorf("downloaded %d bytes; Telegram says %d", len(data), doc.FileSize)
	}
	var got struct {
		Format  string `json:"format"`
		Profile struct {
			PlatformID string `json:"platform_id"`
			Name       string `json:"name"`
		} `json:"profile"`
		Runs []struct {
			Lesson  string `json:"lesson"`
			Chat    string `json:"chat"`
			Answers []struct {
				Answer  string `json:"answer"`
				Correct bool   `json:"correct"`
			} `json:"answers"`
		} `json:"lesson_runs"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("the file is not JSON: %v\n%s", err, data)
	}
	if got.Format != privacy.DataFormat || got.Profile.PlatformID != "11" || got.Profile.Name != "Amina" ||
		len(got.Runs) != 1 || got.Runs[0].Lesson != "quick-quiz" || got.Runs[0].Chat != "Ward 3" ||
		len(got.Runs[0].Answers) != 1 || got.Runs[0].Answers[0].Answer != "19" || !got.Runs[0].Answers[0].Correct {
		t.Errorf("file holds %+v", got)
	}
}

// TestQuietGroupThroughEmulator runs a built-in lesson, with the default
// feedback, through the real client and the emulator: each press is
// answered to the member alone (answerCallbackQuery, the verdict and the
// explanation; a long one as an alert), typed answers get a reaction
// (setMessageReaction, with emoji Telegram allows), a second press gets
// "answered already" to its presser, and the group sees only the lesson's
// own messages and one summary per question.
func TestQuietGroupThroughEmulator(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{}, tg)
	group := tgemu.Chat{ID: -1002, Type: "group", Title: "Ward 8 nurses"}
	amina := tgemu.User{ID: 21, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 22, FirstName: "Brigitte"}
	emu.Send(group, brigitte, "Good morning")
	emu.Send(group, amina, "/lesson hand-hygiene")
	msgs := emu.WaitFor(10*time.Second, "the first question", hasText("Which moment is this?"))
	q := last(msgs, "Which moment is this?")
	emu.Press(group, amina, q.ID, q.Buttons[1].Data)    // right
	emu.Press(group, amina, q.ID, q.Buttons[0].Data)    // again: answered already
	emu.Press(group, brigitte, q.ID, q.Buttons[0].Data) // wrong, with the option's feedback
	msgs = emu.WaitFor(10*time.Second, "the summary", hasText("Everyone has answered: 1 of 2 correct."))
	summary := find(msgs, "Everyone has answered")
	if !strings.Contains(summary.Text, "The answer: 2. After body fluid exposure risk.") {
		t.Errorf("summary = %q; want the answer in it", summary.Text)
	}
	testkit.Until(10*time.Second, func() bool { return len(emu.Toasts()) >= 3 })
	toasts := emu.Toasts()
	if len(toasts) != 3 {
		t.Fatalf("answers to presses: %+v; want 3", toasts)
	}
	// Each press is answered on its own, in whatever order they finish:
	// in the order pressed (the emulator numbers the presses).
	slices.SortFunc(toasts, func(a, b tgemu.Toast) int {
		x, _ := strconv.Atoi(a.QueryID)
		y, _ := strconv.Atoi(b.QueryID)
		return x - y
	})
	if !strings.HasPrefix(toasts[0].Text, "✅ Correct!") || !strings.Contains(toasts[1].Text, "answered this one already") ||
		!strings.HasPrefix(toasts[2].Text, "❌ Not quite.") || !toasts[2].Alert {
		t.Errorf("answers to presses: %+v", toasts)
	}
	// The next question, multi-select, then a typed numeric one.
	emu.WaitFor(10*time.Second, "the second question", hasText("Choose all that apply"))
	emu.Send(group, amina, "1 3 4")
	emu.Send(group, brigitte, "1 3")
	msgs = emu.WaitFor(10*time.Second, "the third question", hasText("how many seconds"))
	testkit.Until(10*time.Second, func() bool { return len(emu.Reactions()) >= 2 })
	reactions := emu.Reactions()
	if len(reactions) != 2 || reactions[0].Emoji != "👍" || reactions[1].Emoji != "🤔" {
		t.Errorf("reactions = %+v; want 👍 on Amina's answer and 🤔 on Brigitte's", reactions)
	}
	// Talk while the question is open is the group's own: no reply, no
	// reaction, not taken as an answer.
	before := len(emu.BotMessages())
	emu.Send(group, brigitte, "Is that with the alcohol rub or with soap?")
	emu.Send(group, amina, "Good question, the rub I think")
	emu.Send(group, amina, "25")
	emu.Send(group, brigitte, "30")
	msgs = emu.WaitFor(10*time.Second, "the third summary", hasText("Everyone has answered: 2 of 2 correct."))
	testkit.Until(10*time.Second, func() bool { return len(emu.Reactions()) >= 4 })
	if got := emu.Reactions(); len(got) != 4 || got[2].Emoji != "👍" || got[3].Emoji != "👍" {
		t.Errorf("reactions = %+v; want 👍 on the two answers only", got)
	}
	for _, m := range emu.BotMessages()[before:] {
		if !strings.Contains(m.Text, "Everyone has answered") && !strings.Contains(m.Text, "hand rub nearest") {
			t.Errorf("the bot said %q during the group's talk", m.Text)
		}
	}
	for _, m := range msgs {
		for _, leak := range []string{"Amina:", "Brigitte:", "Correct!", "Not quite"} {
			if strings.Contains(m.Text, leak) {
				t.Errorf("the group saw a member's verdict: %q", m.Text)
			}
		}
	}
}

// TestFirstQuizWaitsForTheGroup: in a group the bot has just joined it has
// seen only the member who started the lesson, but Telegram says the group
// has three: the question waits for all three (before, it closed after
// the first answer), and the ones it had never seen are counted as they
// answer.
func TestFirstQuizWaitsForTheGroup(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{}, tg)
	group := tgemu.Chat{ID: -1003, Type: "group", Title: "New group"}
	emu.SetChatSize(group, 4) // three members and the bot
	amina := tgemu.User{ID: 31, FirstName: "Amina"}
	brigitte := tgemu.User{ID: 32, FirstName: "Brigitte"}
	chinedu := tgemu.User{ID: 33, FirstName: "Chinedu"}
	emu.Send(group, amina, "/lesson quick-quiz")
	emu.WaitFor(10*time.Second, "the first question", hasText("Upper limit of a normal adult respiratory rate"))
	emu.Send(group, amina, "20")
	emu.WaitFor(10*time.Second, "Amina's verdict", hasText("Amina: correct"))
	emu.Send(group, brigitte, "18")
	msgs := emu.WaitFor(10*time.Second, "Brigitte's verdict", hasText("Brigitte: correct"))
	for _, m := range msgs {
		if strings.Contains(m.Text, "Everyone has answered") || strings.Contains(m.Text, "Who is seen first?") {
			t.Fatalf("the question closed before the whole group answered: %q", m.Text)
		}
	}
	emu.Send(group, chinedu, "40")
	emu.WaitFor(10*time.Second, "the close", hasText("Everyone has answered: 2 of 3 correct."))
}

// TestPhotoUploadedOnce: a lesson's picture goes to Telegram as a photo
// (sendPhoto), uploaded once and sent to the next group by its file_id;
// a client downloads the light JPEG made at load.
func TestPhotoUploadedOnce(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{Lessons: huddletest.PictureLessons(t)}, tg)
	amina := tgemu.User{ID: 11, FirstName: "Amina"}
	for i, chat := range []tgemu.Chat{{ID: -1002, Type: "group", Title: "Ward 3"}, {ID: -1003, Type: "group", Title: "Ward 4"}} {
		emu.Send(chat, amina, "/lesson picture")
		emu.WaitFor(10*time.Second, "the picture", func(msgs []tgemu.Message) bool {
			n := 0
			for _, m := range msgs {
				if m.Photo != nil {
					n++
				}
			}
			return n == i+1
		})
	}
	var photos []tgemu.Message
	for _, m := range emu.BotMessages() {
		if m.Photo != nil {
			photos = append(photos, m)
		}
	}
	if len(photos) != 2 || photos[0].ChatID == photos[1].ChatID || photos[0].Photo.FileID != photos[1].Photo.FileID {
		t.Fatalf("photos %+v", photos)
	}
	if n := emu.Uploads(); n != 1 {
		t.Errorf("%d uploads; want the picture uploaded once", n)
	}
	img, err := jpeg.Decode(bytes.NewReader(emu.Download(photos[0].Photo.FileID)))
	if err != nil || img.Bounds().Dx() != 1280 {
		t.Errorf("the downloaded picture: %v, %v", err, img)
	}
}

// TestMediaUploadedOnce: a lesson's sound or video goes to Telegram
// natively (an Ogg sound as a voice note, an MP3 as audio, an MP4 as
// video; a WAV as a document, which the apps play), each uploaded once
// and sent to the next group by its file_id; a client downloads the file
// as it was.
func TestMediaUploadedOnce(t *testing.T) {
	tests := []struct {
		file, data string
		kind       func(tgemu.Message) *tgemu.Document
		mime       string
	}{
		{"talk.ogg", string(mediatest.Opus(2, func(float64) int { return 40 })), func(m tgemu.Message) *tgemu.Document { return m.Voice }, "audio/ogg"},
		{"talk.mp3", "ID3\x04 a recorded talk", func(m tgemu.Message) *tgemu.Document { return m.Audio }, "audio/mpeg"},
		{"talk.mp4", "\x00\x00\x00\x18ftypisom a short video", func(m tgemu.Message) *tgemu.Document { return m.Video }, "video/mp4"},
		{"talk.wav", "RIFF\x24\x00\x00\x00WAVEfmt a pulse", func(m tgemu.Message) *tgemu.Document { return m.Document }, "audio/wav"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := t.TempDir()
			kind := map[string]string{".ogg": "audio", ".mp3": "audio", ".wav": "audio", ".mp4": "video"}[filepath.Ext(tt.file)]
			lesson := "id: talk\ntitle: \"A talk\"\nsteps:\n  - say: \"Listen.\"\n    " + kind + ": " + tt.file + "\n"
			for name, data := range map[string]string{"talk.yaml": lesson, tt.file: tt.data} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			emu, tg := emulated(t)
			huddletest.Start(t, huddletest.Options{Lessons: dir}, tg)
			amina := tgemu.User{ID: 11, FirstName: "Amina"}
			for i, chat := range []tgemu.Chat{{ID: -1002, Type: "group", Title: "Ward 3"}, {ID: -1003, Type: "group", Title: "Ward 4"}} {
				emu.Send(chat, amina, "/lesson talk")
				emu.WaitFor(10*time.Second, tt.file, func(msgs []tgemu.Message) bool {
					n := 0
					for _, m := range msgs {
						if tt.kind(m) != nil {
							n++
						}
					}
					return n == i+1
				})
			}
			var files []*tgemu.Document
			for _, m := range emu.BotMessages() {
				if f := tt.kind(m); f != nil {
					files = append(files, f)
				}
			}
			if len(files) != 2 || files[0].MIMEType != tt.mime {
				t.Fatalf("files %+v", files)
			}
			if files[0].FileID != files[1].FileID {
				t.Errorf("file ids %s and %s: want the upload reused", files[0].FileID, files[1].FileID)
			}
			if n := emu.Uploads(); n != 1 {
				t.Errorf("%d uploads; want the file uploaded once", n)
			}
			if got := string(emu.Download(files[1].FileID)); got != tt.data {
				t.Errorf("downloaded %q", got)
			}
		})
	}
}

// TestCasePhotoAndVoice: through the real client and the emulator, a
// member sends a photo as a file (uncompressed, so with its EXIF block:
// GPS position, camera serial) captioned /case; the bot fetches it,
// shows it back privately for her check, and once she confirms posts it
// to the group clean and upright (read back as a client downloads it).
// The mentor answers the case with a voice note, which the group gets as
// one.
func TestCasePhotoAndVoice(t *testing.T) {
	emu, tg := emulated(t)
	mentorRef := bot.StaffRef{Channel: telegram.Name, ID: "21"}
	huddletest.Start(t, huddletest.Options{Cases: &cases.Config{Mentors: map[string][]bot.StaffRef{"obstetrics": {mentorRef}}}}, tg)
	group := tgemu.Chat{ID: -1002, Type: "group", Title: "Ward 3"}
	amina, mentor := tgemu.User{ID: 11, FirstName: "Amina"}, tgemu.User{ID: 21, FirstName: "Mentor"}
	aminaDM, mentorDM := tgemu.Chat{ID: 11, Type: "private"}, tgemu.Chat{ID: 21, Type: "private"}
	emu.Send(aminaDM, amina, "/start")
	emu.Send(mentorDM, mentor, "/start")
	emu.WaitFor(10*time.Second, "the welcomes", func(msgs []tgemu.Message) bool {
		n := 0
		for _, m := range msgs {
			if m.ChatID == 11 || m.ChatID == 21 {
				n++
			}
		}
		return n >= 2
	})

	emu.SendFile(group, amina, "document", "IMG_2041.jpg", "image/jpeg", phototest.Phone(t, 640, 360),
		"/case Woman of 30, rash on the forearm for 3 days, itchy. What is it?", 0)
	var check tgemu.Message
	emu.WaitFor(10*time.Second, "the private check", func(msgs []tgemu.Message) bool {
		for _, m := range msgs {
			if m.ChatID == 11 && m.Photo != nil && len(m.Buttons) == 2 {
				check = m
				return true
			}
		}
		return false
	})
	// Her original is deleted from the group at once (the bot is an
	// admin there): the message the bot's note replies to.
	held := emu.WaitFor(10*time.Second, "the note in the group", hasText("I have sent you your photo privately"))
	var original int
	for _, m := range held {
		if m.ChatID == group.ID && strings.Contains(m.Text, "I have sent you your photo privately") {
			original = m.ReplyTo
		}
	}
	if dels := emu.Deletions(); original == 0 || !slices.Contains(dels, tgemu.Deletion{ChatID: "-1002", MessageID: original}) {
		t.Errorf("deleted %+v; want her photo, message %d in the group", dels, original)
	}
	emu.Press(aminaDM, amina, check.ID, check.Buttons[0].Data)
	var shared tgemu.Message
	emu.WaitFor(10*time.Second, "the photo in the group", func(msgs []tgemu.Message) bool {
		for _, m := range msgs {
			if m.ChatID == group.ID && m.Photo != nil {
				shared = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(shared.Text, "Photo for case #C1, shared by Amina") {
		t.Errorf("the photo's caption: %q", shared.Text)
	}
	got := emu.Download(shared.Photo.FileID)
	if left := phototest.Clean(got); left != "" {
		t.Errorf("the group's photo still holds %s", left)
	}
	if !phototest.Upright(t, got) {
		t.Error("the group's photo is not upright")
	}

	emu.Send(group, amina, "/escalate 1")
	emu.WaitFor(10*time.Second, "the case with the mentor", hasText("Case #C1 from Ward 3"))
	voice := []byte("OggS\x00\x02 give an antihistamine, and look for a trigger")
	emu.SendFile(mentorDM, mentor, "voice", "voice.ogg", "audio/ogg", voice, "/answer 1", 0)
	var heard tgemu.Message
	emu.WaitFor(10*time.Second, "the voice answer in the group", func(msgs []tgemu.Message) bool {
		for _, m := range msgs {
			if m.ChatID == group.ID && m.Voice != nil {
				heard = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(heard.Text, "A mentor's answer to case #C1 (Mentor), by voice") {
		t.Errorf("the voice answer's caption: %q", heard.Text)
	}
	if got := emu.Download(heard.Voice.FileID); !bytes.Equal(got, voice) {
		t.Errorf("the group heard %q, want the mentor's voice note", got)
	}
}

// TestCasePhotoWhereBotIsNoAdmin: in a group where the bot may not delete
// members' messages, a photo sent with /case stays, and the bot asks its
// sender, in a reply to it, to delete it; nothing else goes wrong.
func TestCasePhotoWhereBotIsNoAdmin(t *testing.T) {
	emu, tg := emulated(t)
	huddletest.Start(t, huddletest.Options{Cases: &cases.Config{}}, tg)
	group := tgemu.Chat{ID: -1003, Type: "group", Title: "Ward 4"}
	amina, aminaDM := tgemu.User{ID: 11, FirstName: "Amina"}, tgemu.Chat{ID: 11, Type: "private"}
	emu.DenyDelete(group)
	emu.Send(aminaDM, amina, "/start")
	emu.WaitFor(10*time.Second, "the welcome", hasText("Welcome"))
	emu.SendFile(group, amina, "photo", "IMG_2041.jpg", "image/jpeg", phototest.Phone(t, 640, 360),
		"/case Woman of 30, rash on the forearm for 3 days, itchy. What is it?", 0)
	emu.WaitFor(10*time.Second, "the request to delete it", hasText("I could not remove this photo"))
	msgs := emu.WaitFor(10*time.Second, "the note in the group", hasText("I have sent you your photo privately"))
	var ask, held tgemu.Message
	for _, m := range msgs {
		switch {
		case m.ChatID != group.ID:
		case strings.Contains(m.Text, "I could not remove this photo"):
			ask = m
		case strings.Contains(m.Text, "I have sent you your photo privately"):
			held = m
		}
	}
	if !strings.HasPrefix(ask.Text, "Amina, ") || ask.ReplyTo == 0 || ask.ReplyTo != held.ReplyTo {
		t.Errorf("the request %q replies to %d, the note to %d: want both to her photo, naming her", ask.Text, ask.ReplyTo, held.ReplyTo)
	}
	if dels := emu.Deletions(); len(dels) != 0 {
		t.Errorf("deleted %+v where the bot may not", dels)
	}
	emu.WaitFor(10*time.Second, "the private check", func(msgs []tgemu.Message) bool {
		return slices.ContainsFunc(msgs, func(m tgemu.Message) bool { return m.ChatID == 11 && m.Photo != nil })
	})
}
