package whatsapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"go.mau.fi/whatsmeow/util/cbcutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
)

// account is a WhatsApp account: its phone number and its LID.
type account struct{ pn, lid types.JID }

// The bot's account and three nurses, each with a phone number and a LID.
var (
	botPN  = types.NewJID("15550000001", types.DefaultUserServer)
	botLID = types.NewJID("90000000000001", types.HiddenUserServer)
	// theBot is the bot's account in most tests: its LID sorts after its
	// phone number.
	theBot = account{botPN, botLID}
	group  = types.NewJID("120363000000000001", types.GroupServer)
	// pnGroup is an older group, addressed by phone numbers.
	pnGroup = types.NewJID("120363000000000002", types.GroupServer)
	nurses  = []struct {
		name    string
		pn, lid types.JID
	}{
		{"Amina", types.NewJID("254700000001", types.DefaultUserServer), types.NewJID("81000000000001", types.HiddenUserServer)},
		{"Brigitte", types.NewJID("221770000002", types.DefaultUserServer), types.NewJID("81000000000002", types.HiddenUserServer)},
		{"Chinedu", types.NewJID("234800000003", types.DefaultUserServer), types.NewJID("81000000000003", types.HiddenUserServer)},
	}
)

// clock is a fake clock: Sleep moves it instead of waiting.
type clock struct{ *huddletest.Clock }

func (c clock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.Advance(d)
	}
	return ctx.Err()
}

// sent is one message the adapter handed to WhatsApp.
type sent struct {
	at     time.Time
	to     types.JID
	id     types.MessageID
	msg    *waE2E.Message
	sender types.JID // the bot's identity it went out with
}

// fakeNet stands in for WhatsApp's servers: it records what would be
// sent, acknowledges it, and answers group-info queries. Like whatsmeow's
// SendMessage it stores a message's secret in the device's store, under
// the identity the message goes out with, before sending.
type fakeNet struct {
	clock Clock
	dev   *store.Device // the bot's device, whose store SendMessage writes
	// served counts the bytes the fake CDN's bodies gave the client.
	served atomic.Int64

	mu       sync.Mutex
	sent     []sent
	typing   []types.JID
	presence []types.Presence
	groups   map[types.JID]*types.GroupInfo
	groupReq int
	fail     error
	uploads  []upload
	// cdn holds the encrypted files members sent, by URL path, which
	// media, a real whatsmeow client, fetches (through RoundTrip) and
	// decrypts.
	cdn   map[string][]byte
	media *whatsmeow.Client
}

// DownloadToFile is whatsmeow's own DownloadToFile, over the fake CDN.
func (f *fakeNet) DownloadToFile(ctx context.Context, msg whatsmeow.DownloadableMessage, file whatsmeow.File) error {
	f.mu.Lock()
	if f.media == nil {
		f.media = whatsmeow.NewClient(f.dev, nil)
		f.media.SetMediaHTTPClient(&http.Client{Transport: f})
	}
	cli := f.media
	f.mu.Unlock()
	return cli.DownloadToFile(ctx, msg, file)
}

// RoundTrip answers whatsmeow's media requests from cdn: 404 for a file
// it does not hold.
func (f *fakeNet) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	data, ok := f.cdn[req.URL.Path]
	f.mu.Unlock()
	status := http.StatusOK
	if !ok || req.URL.Host != "mmg.whatsapp.net" {
		status, data = http.StatusNotFound, nil
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(&countingReader{r: bytes.NewReader(data), n: &f.served}),
		Header: http.Header{}, Request: req}, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// stored is a file a member's phone uploaded: where, and its keys.
type stored struct {
	url, path                   string
	key, encSHA256, plainSHA256 []byte
	length                      uint64
}

// memberUpload encrypts plaintext as a member's phone does before
// uploading it (whatsmeow's Upload: keys from the media key by HKDF,
// AES-CBC, a 10-byte HMAC), and puts it on the fake media server.
func (f *fakeNet) memberUpload(t testing.TB, plaintext []byte, media whatsmeow.MediaType) stored {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	keys := hkdfutil.SHA256(key, nil, []byte(media), 112)
	iv, cipherKey, macKey := keys[:16], keys[16:48], keys[48:80]
	ciphertext, err := cbcutil.Encrypt(cipherKey, iv, plaintext)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, macKey)
	mac.Write(iv)
	mac.Write(ciphertext)
	file := append(ciphertext, mac.Sum(nil)[:10]...)
	enc, plain := sha256.Sum256(file), sha256.Sum256(plaintext)
	path := fmt.Sprintf("/v/t62.7118-24/%x.enc", enc[:8])
	f.mu.Lock()
	if f.cdn == nil {
		f.cdn = map[string][]byte{}
	}
	f.cdn[path] = file
	f.mu.Unlock()
	return stored{url: "https://mmg.whatsapp.net" + path + "?ccb=11-4", path: path, key: key, encSHA256: enc[:], plainSHA256: plain[:],
		length: uint64(len(plaintext))}
}

// upload is a file the adapter uploaded, and WhatsApp's answer.
type upload struct {
	plaintext []byte
	media     whatsmeow.MediaType
	resp      whatsmeow.UploadResponse
}

// Upload answers as whatsmeow's Upload does (the plaintext's length and
// SHA-256, a new 32-byte media key, the encrypted file's hash and where it
// is stored), without the encryption, and records the file.
func (f *fakeNet) Upload(_ context.Context, plaintext []byte, media whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return whatsmeow.UploadResponse{}, f.fail
	}
	key := make([]byte, 32)
	rand.Read(key)
	sum := sha256.Sum256(plaintext)
	enc := sha256.Sum256(append(key, plaintext...))
	path := fmt.Sprintf("/v/t62.7119-24/%d_%x.enc", len(f.uploads)+1, enc[:8])
	resp := whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net" + path, DirectPath: path, MediaKey: key,
		FileEncSHA256: enc[:], FileSHA256: sum[:], FileLength: uint64(len(plaintext))}
	f.uploads = append(f.uploads, upload{plaintext: bytes.Clone(plaintext), media: media, resp: resp})
	return resp, nil
}

func (f *fakeNet) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return whatsmeow.SendResponse{}, f.fail
	}
	id := extra[0].ID
	// As whatsmeow's SendMessage chooses the identity a message goes out
	// with: the bot's LID in a LID-addressed group and to a LID, its phone
	// number otherwise.
	own := *f.dev.ID
	switch {
	case to.Server == types.GroupServer:
		if g, ok := f.groups[to]; ok && g.AddressingMode == types.AddressingModeLID {
			own = f.dev.LID
		}
	case to.Server == types.HiddenUserServer:
		own = f.dev.LID
	}
	own = own.ToNonAD()
	if secret := msg.GetMessageContextInfo().GetMessageSecret(); secret != nil && f.dev != nil {
		if err := f.dev.MsgSecrets.PutMessageSecret(context.Background(), to, own, id, secret); err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	f.sent = append(f.sent, sent{at: f.clock.Now(), to: to, id: id, msg: msg, sender: own})
	return whatsmeow.SendResponse{ID: id, Timestamp: f.clock.Now(), Sender: own}, nil
}

// SendMediaRetryReceipt records nothing: the fake's files do not expire
// (wafake's server answers such requests; see realpath_test.go).
func (f *fakeNet) SendMediaRetryReceipt(context.Context, *types.MessageInfo, []byte) error {
	return errors.New("the fake network does not ask phones for files again")
}

func (f *fakeNet) SendPresence(_ context.Context, state types.Presence) error {
	if f.dev != nil && f.dev.PushName == "" {
		return whatsmeow.ErrNoPushName // as whatsmeow's own refuses
	}
	f.mu.Lock()
	f.presence = append(f.presence, state)
	f.mu.Unlock()
	return nil
}

func (f *fakeNet) SendChatPresence(_ context.Context, jid types.JID, _ types.ChatPresence, _ types.ChatPresenceMedia) error {
	f.mu.Lock()
	f.typing = append(f.typing, jid)
	f.mu.Unlock()
	return nil
}

func (f *fakeNet) GetGroupInfo(_ context.Context, jid types.JID) (*types.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groupReq++
	if g, ok := f.groups[jid]; ok {
		return g, nil
	}
	return nil, whatsmeow.ErrGroupNotFound
}

func (f *fakeNet) presenceCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.presence)
}

func (f *fakeNet) messages() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

// nurseGroup is the test group as WhatsApp describes it, addressed by
// LID: Amina is an admin, and so is the bot.
func nurseGroup(acct account) *types.GroupInfo {
	g := &types.GroupInfo{JID: group, GroupName: types.GroupName{Name: "Ward 3 nurses"}, AddressingMode: types.AddressingModeLID}
	g.Participants = append(g.Participants, types.GroupParticipant{JID: acct.lid, LID: acct.lid, PhoneNumber: acct.pn, IsAdmin: true})
	for i, n := range nurses {
		g.Participants = append(g.Participants, types.GroupParticipant{JID: n.lid, LID: n.lid, PhoneNumber: n.pn, IsAdmin: i == 0})
	}
	return g
}

// oldGroup is a group addressed by phone numbers, as older groups are.
func oldGroup(acct account) *types.GroupInfo {
	g := &types.GroupInfo{JID: pnGroup, GroupName: types.GroupName{Name: "Ward 4 nurses"}, AddressingMode: types.AddressingModePN}
	g.Participants = append(g.Participants, types.GroupParticipant{JID: acct.pn, LID: acct.lid, PhoneNumber: acct.pn})
	for _, n := range nurses {
		g.Participants = append(g.Participants, types.GroupParticipant{JID: n.pn, LID: n.lid, PhoneNumber: n.pn})
	}
	return g
}

// pairDevice writes a linked device for jid/lid into the session file at
// path, as pairing would, and records the nurses' LID mappings, as
// whatsmeow learns them from group metadata.
func pairDevice(t testing.TB, path string, jid, lid types.JID) {
	t.Helper()
	ctx := context.Background()
	dialect, addr := "sqlite", sessionDSN(path)
	if InDatabase(path) {
		dialect, addr = "pgx", path
	}
	c, err := sqlstore.New(ctx, dialect, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dev := linkDevice(t, c, jid, lid)
	if err := dev.LIDs.PutLIDMapping(ctx, lid, jid); err != nil {
		t.Fatal(err)
	}
	for _, n := range nurses {
		if err := dev.LIDs.PutLIDMapping(ctx, n.lid, n.pn); err != nil {
			t.Fatal(err)
		}
	}
}

// linkDevice stores a device linked to the account jid/lid, as pairing
// leaves it (with placeholder signatures: nothing here verifies them).
func linkDevice(t testing.TB, c *sqlstore.Container, jid, lid types.JID) *store.Device {
	t.Helper()
	dev := c.NewDevice()
	dev.ID, dev.LID = &jid, lid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := dev.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dev
}

// memOutbox is an Outbox over a map, for tests of the adapter alone.
type memOutbox struct {
	mu      sync.Mutex
	sent    map[string]bot.OutboxItem
	known   map[string]bool
	removed []string
	parked  []parkedRow
}

type parkedRow struct {
	key, sender string
	data        []byte
}

func (o *memOutbox) WriteNotes(_ context.Context, _ string, put []bot.Note, drop []string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.parked = slices.DeleteFunc(o.parked, func(p parkedRow) bool { return slices.Contains(drop, p.key) })
	for _, n := range put {
		o.parked = slices.DeleteFunc(o.parked, func(p parkedRow) bool { return p.key == n.Key })
		o.parked = append(o.parked, parkedRow{n.Key, n.Member, bytes.Clone(n.Data)})
	}
	return nil
}

func (o *memOutbox) Notes(_ context.Context, _, prefix string, limit int) ([]bot.Note, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []bot.Note
	for _, p := range o.parked {
		if strings.HasPrefix(p.key, prefix) && (limit <= 0 || len(out) < limit) {
			out = append(out, bot.Note{Key: p.key, Member: p.sender, Data: p.data})
		}
	}
	return out, nil
}

// parkedKeys lists the keys of the parked messages.
func (o *memOutbox) parkedKeys() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, p := range o.parked {
		out = append(out, p.key)
	}
	return out
}

func (o *memOutbox) RemovedChats(context.Context, string) ([]string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.removed, nil
}

func (o *memOutbox) SentMessage(_ context.Context, _, id string) (bot.OutboxItem, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if it, ok := o.sent[id]; ok {
		return it, nil
	}
	return bot.OutboxItem{}, bot.ErrNotFound
}

func (o *memOutbox) ChatKnown(_ context.Context, _, id string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.known[id], nil
}

// harness is a paired adapter on a fake network.
type harness struct {
	w     *WhatsApp
	net   *fakeNet
	clock clock
	acct  account // the bot's
}

// newHarness opens a paired adapter whose network is fakeNet and whose
// connection is simulated with whatsmeow's own Connected event.
func newHarness(t testing.TB, cfg Config) *harness { return newHarnessAs(t, cfg, theBot) }

// newHarnessAs is newHarness for the bot's account bot.
func newHarnessAs(t testing.TB, cfg Config, acct account) *harness {
	t.Helper()
	path := cfg.SessionDB // a session the test paired already
	if path == "" {
		path = filepath.Join(t.TempDir(), "whatsapp.db")
		pairDevice(t, path, acct.pn, acct.lid)
	}
	c := clock{huddletest.NewClock()}
	net := &fakeNet{clock: c, groups: map[types.JID]*types.GroupInfo{group: nurseGroup(acct), pnGroup: oldGroup(acct)}}
	cfg.SessionDB = path
	cfg.Clock = c
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Outbox == nil {
		cfg.Outbox = &memOutbox{sent: map[string]bot.OutboxItem{}, known: map[string]bool{}}
	}
	w, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	w.net, net.dev = net, w.cli.Store
	w.dial = func(context.Context) error {
		w.onEvent(&events.Connected{})
		return nil
	}
	return &harness{w: w, net: net, clock: c, acct: acct}
}

// running waits until Run has taken its handler, as it has before
// whatsmeow delivers any message.
func (h *harness) running(t testing.TB) {
	t.Helper()
	testkit.Eventually(t, 5*time.Second, "Run to start", func() bool {
		h.w.mu.Lock()
		defer h.w.mu.Unlock()
		return h.w.handler != nil && h.w.connected
	})
}

// connect delivers whatsmeow's Connected event.
func (h *harness) connect() { h.w.onEvent(&events.Connected{}) }

// incoming builds a whatsmeow message event from nurse i in the group (or
// privately when direct), as whatsmeow delivers it: addressed by LID with
// the phone number as the alternative, unwrapped from RawMessage.
func incoming(i int, direct bool, id string, at time.Time, raw *waE2E.Message) *events.Message {
	n := nurses[i]
	info := types.MessageInfo{
		MessageSource: types.MessageSource{Chat: group, Sender: n.lid, SenderAlt: n.pn, IsGroup: true, AddressingMode: types.AddressingModeLID},
		ID:            id,
		PushName:      n.name,
		Timestamp:     at,
	}
	if direct {
		info.Chat, info.IsGroup = n.lid, false
	}
	return (&events.Message{Info: info, RawMessage: raw}).UnwrapRaw()
}
