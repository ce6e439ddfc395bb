package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// chatLeasePrefix begins the name of every chat's lease.
const chatLeasePrefix = "chat:"

// ChatLease names the lease of the chat key (bot.ChatKey): "chat:" and a
// keyed hash of the key (as consents name people), so that no lease,
// notification or claim holds a chat's platform id, which for a private chat on
// WhatsApp is a phone number.
func (d *DB) ChatLease(chatKey string) string {
	return chatLeasePrefix + hex.EncodeToString(d.chatMAC(chatKey)[:12])
}

// chatMAC is the keyed hash that stands for the chat key in the database.
func (d *DB) chatMAC(chatKey string) []byte {
	mac := hmac.New(sha256.New, d.subjectKey)
	mac.Write([]byte("lease:" + chatKey))
	return mac.Sum(nil)
}

// chatLock is the number of the chat key's advisory lock on PostgreSQL:
// the first eight bytes of its keyed hash (two chats sharing one wait for
// each other, no more).
func (d *DB) chatLock(chatKey string) int64 {
	return int64(binary.BigEndian.Uint64(d.chatMAC(chatKey)))
}

// ChatLeasePrefix is what every chat lease's name begins with.
func (d *DB) ChatLeasePrefix() string { return chatLeasePrefix }

// Postgres reports whether the database is PostgreSQL's, which several
// instances may share.
func (d *DB) Postgres() bool { return d.pg }

// SetInstance makes the store one instance's of several sharing the
// database: the sender's PendingOutbox and the scheduler's DueTimers then
// claim, for claim, only the messages and timers of chats whose lease
// this instance holds, with FOR UPDATE SKIP LOCKED, so that no two
// instances send a message or fire a timer at once. Only PostgreSQL's
// store is shared so (a SQLite file is one process's): on SQLite it does
// nothing.
func (d *DB) SetInstance(name string, claim time.Duration) {
	if !d.pg {
		return
	}
	d.instance, d.claim = name, claim
}

// Orphans lists up to limit chats that have work waiting (messages due
// in the outbox, timers due) and whose leases
// no instance holds at now, leaving out those of the channels in except
// (another instance must own them: a single-session channel this one does
// not lead): an instance adopts them.
func (d *DB) Orphans(ctx context.Context, now time.Time, limit int, except []string) ([]bot.Orphan, error) {
	if except == nil {
		except = []string{}
	}
	ex, err := json.Marshal(except)
	if err != nil {
		return nil, fmt.Errorf("chats without an owner: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, `SELECT lease, MIN(channel) FROM (
			SELECT o.lease, o.channel FROM outbox o
				WHERE o.sent_at IS NULL AND o.given_up_at IS NULL AND o.next_at <= ?1 AND o.lease IS NOT NULL
			UNION SELECT t.lease, c.channel FROM timers t JOIN runs r ON r.id = t.run_id JOIN chats c ON c.id = r.chat_id
				WHERE t.fired_at IS NULL AND t.due_at <= ?1 AND t.lease IS NOT NULL) AS w
		WHERE NOT EXISTS (SELECT 1 FROM leases l WHERE l.name = w.lease AND l.expires_at > ?1)
			AND COALESCE(w.channel, '') NOT IN (SELECT `+d.dialect(`value FROM json_each(?3)`, `jsonb_array_elements_text(?3::jsonb)`)+`)
		GROUP BY lease ORDER BY lease LIMIT ?2`, ms(now), limit, string(ex))
	if err != nil {
		return nil, fmt.Errorf("chats without an owner: %w", err)
	}
	defer rows.Close()
	var out []bot.Orphan
	for rows.Next() {
		var o bot.Orphan
		var channel sql.NullString
		if err := rows.Scan(&o.Lease, &channel); err != nil {
			return nil, fmt.Errorf("chats without an owner: %w", err)
		}
		o.Channel = channel.String
		out = append(out, o)
	}
	return out, rows.Err()
}

// RenewLeases extends, to now+ttl, every lease holder still holds whose
// name starts with prefix, and returns their names.
func (d *DB) RenewLeases(ctx context.Context, holder, prefix string, ttl time.Duration, now time.Time) ([]string, error) {
	var out []string
	err := d.update(ctx, func(t *Tx) error {
		out = out[:0]
		rows, err := t.query(`UPDATE leases SET expires_at = ?1 WHERE holder = ?2 AND expires_at > ?3
			AND substr(name, 1, length(?4)) = ?4 RETURNING name`, ms(now.Add(ttl)), holder, ms(now), prefix)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("renew leases of %s: %w", holder, err)
	}
	slices.Sort(out)
	return out, nil
}

// claimOutbox is PendingOutbox for an instance of several: it claims the
// due messages of the chats the instance owns, skipping rows another
// instance has locked, and returns them oldest first. A chat's message
// waits while an older one of the chat is claimed by another instance
// (one that died holding it, until its claim runs out): sent meanwhile,
// it would come before the older one, sent again once the claim ran out
// (TestClusterKill saw a group's second question after its third). It
// runs on its own as one statement (PostgreSQL's pool of readers writes
// too).
func (d *DB) claimOutbox(ctx context.Context, channel string, now time.Time, limit int, skip func(chatID, key string) bool) ([]bot.OutboxItem, error) {
	rows, err := d.read.QueryContext(ctx, `UPDATE outbox SET claimed_by = ?1, claimed_until = ?3
		WHERE id IN (SELECT o.id FROM outbox o
			JOIN leases l ON l.name = o.lease AND l.holder = ?1 AND l.expires_at > ?2
			WHERE o.channel = ?4 AND o.sent_at IS NULL AND o.given_up_at IS NULL AND o.next_at <= ?2
			AND (o.claimed_until IS NULL OR o.claimed_until <= ?2 OR o.claimed_by = ?1)
			AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.chat_id = o.chat_id
				AND p.id < o.id AND p.sent_at IS NULL AND p.given_up_at IS NULL
				AND (p.next_at > ?2 OR (p.claimed_until > ?2 AND p.claimed_by <> ?1)))
			ORDER BY o.id LIMIT ?5 FOR UPDATE OF o SKIP LOCKED)
		RETURNING id, chat_id, key, payload, attempts, created_at`,
		d.instance, ms(now), ms(now.Add(d.claim)), channel, limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox of %s: %w", channel, err)
	}
	defer rows.Close()
	out, err := scanPending(rows, channel, skip)
	if err != nil {
		return nil, err
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b bot.OutboxItem) int { return int(a.ID - b.ID) })
	for i := range out {
		out[i].Claimed = now.Add(d.claim)
	}
	return out, nil
}

// claimTimers is DueTimers for an instance of several: it claims the due
// timers of the chats the instance owns, skipping those another instance
// has locked.
func (d *DB) claimTimers(ctx context.Context, now time.Time, limit int) ([]bot.Timer, error) {
	rows, err := d.read.QueryContext(ctx, `WITH claimed AS (UPDATE timers SET claimed_by = ?1, claimed_until = ?3
		WHERE id IN (SELECT t.id FROM timers t
			JOIN leases l ON l.name = t.lease AND l.holder = ?1 AND l.expires_at > ?2
			WHERE t.fired_at IS NULL AND t.due_at <= ?2 AND (t.claimed_until IS NULL OR t.claimed_until <= ?2 OR t.claimed_by = ?1)
			ORDER BY t.due_at, t.id LIMIT ?4 FOR UPDATE OF t SKIP LOCKED)
		RETURNING id, run_id, seq, due_at)
		SELECT t.id, t.run_id, t.seq, t.due_at, c.channel, c.platform_id FROM claimed t
		JOIN runs r ON r.id = t.run_id JOIN chats c ON c.id = r.chat_id ORDER BY t.due_at, t.id`,
		d.instance, ms(now), ms(now.Add(d.claim)), limit)
	if err != nil {
		return nil, fmt.Errorf("claim timers: %w", err)
	}
	defer rows.Close()
	return scanTimers(rows)
}

// fillLeases names the chat leases of the messages and timers waiting
// from before leases were named (migration 00022).
func (d *DB) fillLeases(ctx context.Context) error {
	type row struct {
		id   int64
		chat string
	}
	read := func(query string) ([]row, error) {
		rows, err := d.read.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			var channel, chat string
			if err := rows.Scan(&r.id, &channel, &chat); err != nil {
				return nil, err
			}
			r.chat = bot.ChatKey(channel, chat)
			out = append(out, r)
		}
		return out, rows.Err()
	}
	msgs, err := read(`SELECT id, channel, chat_id FROM outbox WHERE lease IS NULL AND sent_at IS NULL AND given_up_at IS NULL`)
	if err != nil {
		return fmt.Errorf("name chat leases: %w", err)
	}
	timers, err := read(`SELECT t.id, c.channel, c.platform_id FROM timers t JOIN runs r ON r.id = t.run_id
		JOIN chats c ON c.id = r.chat_id WHERE t.lease IS NULL AND t.fired_at IS NULL`)
	if err != nil {
		return fmt.Errorf("name chat leases: %w", err)
	}
	if len(msgs)+len(timers) == 0 {
		return nil
	}
	return d.update(ctx, func(t *Tx) error {
		for _, m := range msgs {
			if _, err := t.exec(`UPDATE outbox SET lease = ? WHERE id = ?`, d.ChatLease(m.chat), m.id); err != nil {
				return err
			}
		}
		for _, tm := range timers {
			if _, err := t.exec(`UPDATE timers SET lease = ? WHERE id = ?`, d.ChatLease(tm.chat), tm.id); err != nil {
				return err
			}
		}
		return nil
	})
}
