package wafake

import (
	"bytes"
	"context"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// TestRelay has two phones, whatsmeow on both sides, talk in a group
// through the server: a text, a poll and its vote, and a picture: so the
// server relays what whatsmeow encrypts as WhatsApp's does.
func TestRelay(t *testing.T) {
	ctx := context.Background()
	s := New(t)
	amina := s.Phone(t, "254700000001", "Amina")
	bea := s.Phone(t, "221770000002", "Bea")
	g := types.NewJID("120363000000000009", types.GroupServer)
	s.Group(g, "Ward 3", []types.JID{amina.JID, bea.JID}, amina.JID)

	if _, err := amina.SendMessage(ctx, g, &waE2E.Message{Conversation: proto.String("hello ward 3")}); err != nil {
		t.Fatal(err)
	}
	got := bea.Message(t, g, func(m *events.Message) bool { return m.Message.GetConversation() != "" })
	if got.Message.GetConversation() != "hello ward 3" || got.Info.Sender.User != amina.JID.User || got.Info.PushName != "Amina" {
		t.Errorf("Bea got %q from %s (%q)", got.Message.GetConversation(), got.Info.Sender, got.Info.PushName)
	}

	// A poll, and Bea's vote, which only Amina's device can decrypt.
	poll := amina.BuildPollCreation("Which drug first?", []string{"Oxytocin", "Misoprostol"}, 1)
	sent, err := amina.SendMessage(ctx, g, poll)
	if err != nil {
		t.Fatal(err)
	}
	pm := bea.Message(t, g, func(m *events.Message) bool { return m.Info.ID == sent.ID && m.Message.GetPollCreationMessage() != nil })
	vote, err := bea.BuildPollVote(ctx, &pm.Info, []string{"Misoprostol"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bea.SendMessage(ctx, g, vote); err != nil {
		t.Fatal(err)
	}
	vm := amina.Message(t, g, func(m *events.Message) bool { return m.Message.GetPollUpdateMessage() != nil })
	dec, err := amina.DecryptPollVote(ctx, vm)
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.GetSelectedOptions()) != 1 || !bytes.Equal(dec.GetSelectedOptions()[0], hash("Misoprostol")) {
		t.Errorf("vote decrypted to %x", dec.GetSelectedOptions())
	}

	// A picture: uploaded encrypted, downloaded and decrypted by Bea.
	pic := bytes.Repeat([]byte("not really a jpeg "), 1000)
	up, err := amina.Upload(ctx, pic, whatsmeow.MediaImage)
	if err != nil {
		t.Fatal(err)
	}
	if stored, ok := s.Media(up.DirectPath); !ok || bytes.Contains(stored, []byte("not really")) {
		t.Fatalf("the server holds %d bytes at %s, in the clear: %v", len(stored), up.DirectPath, bytes.Contains(stored, []byte("not really")))
	}
	if _, err := amina.SendMessage(ctx, g, &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		URL: &up.URL, DirectPath: &up.DirectPath, MediaKey: up.MediaKey, Mimetype: proto.String("image/jpeg"),
		FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: &up.FileLength,
	}}); err != nil {
		t.Fatal(err)
	}
	im := bea.Message(t, g, func(m *events.Message) bool { return m.Message.GetImageMessage() != nil })
	data, err := bea.Download(ctx, im.Message.GetImageMessage())
	if err != nil || !bytes.Equal(data, pic) {
		t.Fatalf("Bea downloaded %d bytes (%v), want the %d sent", len(data), err, len(pic))
	}
	msgs := s.Messages()
	if last := msgs[len(msgs)-1]; last.MediaType != "image" || last.Type != "media" {
		t.Errorf("the picture went out as type %q, media type %q", last.Type, last.MediaType)
	}

	// A file the media server no longer holds.
	s.Expire(up.DirectPath, 410)
	if _, err := bea.Download(ctx, im.Message.GetImageMessage()); err == nil {
		t.Error("an expired file downloaded")
	}
}

// hash is a poll option's hash, as WhatsApp's clients compute it.
func hash(option string) []byte {
	return whatsmeow.HashPollOptions([]string{option})[0]
}

// TestRelayByLID: in a group that addresses its members by LID, a phone's
// whatsmeow sends under its LID, the other decrypts it (from the sender's
// LID, with the phone number beside), and a vote on a poll decrypts on
// the poll's sender.
func TestRelayByLID(t *testing.T) {
	ctx := context.Background()
	s := New(t)
	amina := s.Phone(t, "254700000001", "Amina")
	bea := s.Phone(t, "221770000002", "Bea")
	g := types.NewJID("120363000000000010", types.GroupServer)
	s.LIDGroup(g, "Ward 5", []types.JID{amina.JID, bea.JID}, amina.JID)
	poll := amina.BuildPollCreation("Which drug first?", []string{"Oxytocin", "Misoprostol"}, 1)
	sent, err := amina.SendMessage(ctx, g, poll)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Sender.Server != types.HiddenUserServer {
		t.Errorf("the poll went out as %s; want Amina's LID", sent.Sender)
	}
	pm := bea.Message(t, g, func(m *events.Message) bool { return m.Info.ID == sent.ID && m.Message.GetPollCreationMessage() != nil })
	if pm.Info.Sender.User != LID(amina.JID).User || pm.Info.SenderAlt.User != amina.JID.User {
		t.Errorf("Bea's phone sees the poll from %s (alt %s); want Amina's LID, her number beside", pm.Info.Sender, pm.Info.SenderAlt)
	}
	vote, err := bea.BuildPollVote(ctx, &pm.Info, []string{"Oxytocin"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bea.SendMessage(ctx, g, vote); err != nil {
		t.Fatal(err)
	}
	vm := amina.Message(t, g, func(m *events.Message) bool { return m.Message.GetPollUpdateMessage() != nil })
	if vm.Info.Sender.Server != types.HiddenUserServer || vm.Info.SenderAlt.User != bea.JID.User {
		t.Errorf("the vote comes from %s (alt %s); want Bea's LID, her number beside", vm.Info.Sender, vm.Info.SenderAlt)
	}
	// whatsmeow's EncryptPollVote encrypts a vote under its phone number
	// whatever the group's addressing (msgsecret.go, getOwnID), where
	// WhatsApp's apps use the LID the group knows them by: decrypted as
	// from her LID it fails, and as from her number (which the Huddle
	// adapter tries next) it holds.
	if _, err := amina.DecryptPollVote(ctx, vm); err == nil {
		t.Log("whatsmeow's vote decrypted under the LID: its EncryptPollVote changed")
	}
	byNumber := *vm
	byNumber.Info.Sender, byNumber.Info.SenderAlt = vm.Info.SenderAlt, vm.Info.Sender
	dec, err := amina.DecryptPollVote(ctx, &byNumber)
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.GetSelectedOptions()) != 1 || !bytes.Equal(dec.GetSelectedOptions()[0], hash("Oxytocin")) {
		t.Errorf("vote decrypted to %x", dec.GetSelectedOptions())
	}
}
