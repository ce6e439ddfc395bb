package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
)

// connectTimeout bounds dialing WhatsApp from the command line, so a
// machine without internet gets an answer, not a hang.
const connectTimeout = 20 * time.Second

// Pairing says what to show while pairing.
type Pairing struct {
	// QR shows a QR code to scan (called again with each new code).
	QR func(code string)
	// Code shows the pairing code to type on the phone.
	Code func(code string)
	// Note shows a remark; nothing when nil.
	Note func(text string)
}

// pairing holds how Pair reaches whatsmeow, so a test can stand in for
// WhatsApp's side of it.
type pairing struct {
	qrChannel func(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error)
	pairPhone func(ctx context.Context, number string) (string, error)
	// settle bounds the wait for the first login after linking.
	settle time.Duration
}

// Pair links this session to a WhatsApp account: with phone empty it shows
// QR codes, refreshed until one is scanned or WhatsApp closes the window;
// otherwise it asks for a pairing code for that number ("+254...").
func (w *WhatsApp) Pair(ctx context.Context, phone string, show Pairing) error {
	if w.Paired() {
		undo := "delete " + w.cfg.SessionDB
		if InDatabase(w.cfg.SessionDB) {
			undo = "delete the whatsmeow_device row in " + sessionName(w.cfg.SessionDB)
		}
		return fmt.Errorf("already paired as %s; to pair again, remove the device under Linked devices on the phone, then %s", w.cli.Store.ID.User, undo)
	}
	qr, err := w.pairing.qrChannel(ctx)
	if err != nil {
		return fmt.Errorf("pair: %w", err)
	}
	if err := w.dialTimeout(ctx); err != nil {
		return err
	}
	defer w.cli.Disconnect()
	asked := false
	for item := range qr {
		switch {
		case item.Event == whatsmeow.QRChannelEventCode && phone != "":
			// whatsmeow asks to request a pairing code only once the first
			// QR code came: the connection is ready for it then.
			if asked {
				continue
			}
			asked = true
			num := strings.TrimPrefix(strings.ReplaceAll(phone, " ", ""), "+")
			code, err := w.pairing.pairPhone(ctx, num)
			if err != nil {
				return fmt.Errorf("pairing code for %s: %w", phone, err)
			}
			show.Code(code)
		case item.Event == whatsmeow.QRChannelEventCode:
			show.QR(item.Code)
		case item == whatsmeow.QRChannelSuccess:
			// WhatsApp then closes the connection and whatsmeow logs in
			// again: disconnecting before that login cuts the new device's
			// first login short. Wait for it, within reason.
			select {
			case <-w.loggedIn:
			case <-time.After(w.pairing.settle):
				if show.Note != nil {
					show.Note("The phone is linked; the first login has not finished yet: huddle run completes it.")
				}
			case <-ctx.Done():
			}
			return nil
		case item == whatsmeow.QRChannelTimeout:
			return errors.New("the pairing window closed before the phone linked; run the command again")
		case item.Event == whatsmeow.QRChannelEventError:
			return fmt.Errorf("pairing failed: %w", item.Error)
		default:
			return fmt.Errorf("pairing failed: %s", item.Event)
		}
	}
	return ctx.Err()
}

// dialTimeout connects, failing with a clear message when WhatsApp cannot
// be reached within connectTimeout.
func (w *WhatsApp) dialTimeout(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.dial(dctx) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("cannot reach WhatsApp (is this machine online?): %w", err)
		}
		return nil
	case <-dctx.Done():
		w.cli.Disconnect()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("cannot reach WhatsApp within %s (is this machine online?)", connectTimeout)
	}
}

// Status is what `huddle whatsapp status` reports.
type Status struct {
	Paired    bool
	Account   string // the phone number, when paired
	Name      string // the account's push name
	Connected bool
	// ConnectErr says why connecting failed.
	ConnectErr error
	Groups     []GroupStatus
}

// GroupStatus is one group the account is in.
type GroupStatus struct {
	ID, Name string
	Members  int
	BotAdmin bool
}

// Account is the paired number ("+254700000001"), "" when unpaired,
// without connecting.
func (w *WhatsApp) Account() string {
	if !w.Paired() {
		return ""
	}
	return "+" + w.cli.Store.ID.User
}

// Status connects (when paired) and lists the account's groups.
func (w *WhatsApp) Status(ctx context.Context) Status {
	st := Status{Paired: w.Paired()}
	if !st.Paired {
		return st
	}
	st.Account, st.Name = "+"+w.cli.Store.ID.User, w.cli.Store.PushName
	if err := w.dialTimeout(ctx); err != nil {
		st.ConnectErr = err
		return st
	}
	defer w.cli.Disconnect()
	st.Connected = true
	gctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	groups, err := w.cli.GetJoinedGroups(gctx)
	if err != nil {
		st.ConnectErr = fmt.Errorf("list groups: %w", err)
		return st
	}
	for _, g := range groups {
		st.Groups = append(st.Groups, GroupStatus{ID: g.JID.String(), Name: g.Name, Members: len(g.Participants),
			BotAdmin: w.botAdminOf(newGroupInfo(g))})
	}
	sort.Slice(st.Groups, func(i, j int) bool { return st.Groups[i].Name < st.Groups[j].Name })
	return st
}
