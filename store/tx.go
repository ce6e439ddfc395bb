package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/huddlebot/huddle/bot"
)

// Tx is one caller's part of a write transaction. It implements bot.Tx.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
	db  *DB
	// bound keeps the writer's statements bound to this SQL transaction,
	// shared by the callers a batch carries, so each is bound once.
	bound map[*sql.Stmt]*sql.Stmt
	// sweep says this transaction deleted an attachment (sweepAfter).
	sweep bool
	// queued holds the leases of the chats it queued messages for
	// (OnQueued).
	queued []string
}

// sweepAfter asks for the media files no attachment refers to any more to
// be removed once this transaction commits: on SQLite by the writer after
// the batch, on PostgreSQL after this transaction itself (others commit
// beside it, and one of theirs would sweep before it).
func (t *Tx) sweepAfter() {
	if t.db.pg {
		t.sweep = true
		return
	}
	t.db.sweep.Store(true)
}

var _ bot.Tx = (*Tx)(nil)

// bind returns st bound to the transaction, binding it once.
func (t *Tx) bind(st *sql.Stmt) *sql.Stmt {
	if t.bound == nil {
		return t.tx.StmtContext(t.ctx, st)
	}
	b, ok := t.bound[st]
	if !ok {
		b = t.tx.StmtContext(t.ctx, st)
		t.bound[st] = b
	}
	return b
}

// The statements below reuse the writer's prepared statements, which
// spares SQLite parsing each query again; a query not prepared yet runs
// as it is (pgx keeps PostgreSQL's prepared statements itself). Each is
// first put in the database's dialect.

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	query, args = t.db.write.q(query, args)
	if st := t.db.stmt(query); st != nil {
		return t.bind(st).ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *Tx) row(query string, args ...any) *sql.Row {
	query, args = t.db.write.q(query, args)
	if st := t.db.stmt(query); st != nil {
		return t.bind(st).QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	query, args = t.db.write.q(query, args)
	if st := t.db.stmt(query); st != nil {
		return t.bind(st).QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}

// notFound maps sql.ErrNoRows to bot.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return bot.ErrNotFound
	}
	return err
}

// SeeEvent records an inbound event id; false when it was seen before.
func (t *Tx) SeeEvent(id string, at time.Time) (bool, error) {
	res, err := t.exec(`INSERT INTO seen_events (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, ms(at))
	if err != nil {
		return false, fmt.Errorf("see event: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EnsureMember returns the member, creating it on first sight and updating
// its name when the platform shows a new one.
func (t *Tx) EnsureMember(channel, platformID, name string, at time.Time) (bot.Member, error) {
	return t.ensureMember(channel, platformID, "", name, at)
}

// ensureMember is EnsureMember for a sender who may also be known by alias:
// a member first seen under the alias takes the new id and keeps the alias,
// and an id that is some member's alias finds that member.
func (t *Tx) ensureMember(channel, platformID, alias, name string, at time.Time) (bot.Member, error) {
	const byEither = `SELECT ` + memberColumns + ` FROM members m WHERE m.channel = ? AND (m.platform_id = ? OR m.alias = ?)
		ORDER BY m.platform_id = ? DESC LIMIT 1`
	m, err := scanMember(t.row(byEither, channel, platformID, platformID, platformID))
	if errors.Is(err, sql.ErrNoRows) && alias != "" {
		// Known so far by the alias itself (a phone number, the LID not yet
		// seen): that member takes the new id. A member who has the alias
		// beside another id is someone else (a recycled phone number).
		const byID = `SELECT ` + memberColumns + ` FROM members m WHERE m.channel = ? AND m.platform_id = ?`
		if m, err = scanMember(t.row(byID, channel, alias)); err == nil {
			if _, err := t.exec(`UPDATE members SET platform_id = ?, alias = ? WHERE id = ?`, platformID, alias, m.ID); err != nil {
				return m, fmt.Errorf("re-key member %d: %w", m.ID, err)
			}
			m.PlatformID, m.Alias = platformID, alias
		}
	}
	switch {
	case err == nil:
		if name != "" && name != m.Name {
			if _, err := t.exec(`UPDATE members SET name = ? WHERE id = ?`, name, m.ID); err != nil {
				return m, fmt.Errorf("rename member %d: %w", m.ID, err)
			}
			m.Name = name
		}
		if alias != "" && alias != m.Alias && m.PlatformID == platformID {
			// Should another member hold the alias, both stay as they are
			// rather than the event failing.
			res, err := t.exec(`UPDATE members SET alias = ?1 WHERE id = ?2
				AND NOT EXISTS (SELECT 1 FROM members o WHERE o.channel = ?3 AND o.alias = ?1)`, alias, m.ID, channel)
			if err != nil {
				return m, fmt.Errorf("alias member %d: %w", m.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				m.Alias = alias
			}
		}
		return m, nil
	case !errors.Is(err, sql.ErrNoRows):
		return m, fmt.Errorf("member %s:%s: %w", channel, platformID, err)
	}
	m = bot.Member{Channel: channel, PlatformID: platformID, Alias: alias, Name: name, Created: at}
	err = t.row(`INSERT INTO members (channel, platform_id, alias, name, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`,
		channel, platformID, nullString(alias), name, ms(at)).Scan(&m.ID)
	if errors.Is(err, sql.ErrNoRows) {
		// Another transaction added them meanwhile (the same member first
		// seen in two chats at once, side by side on PostgreSQL).
		const byID = `SELECT ` + memberColumns + ` FROM members m WHERE m.channel = ? AND m.platform_id = ?`
		if found, ferr := scanMember(t.row(byID, channel, platformID)); ferr == nil {
			return found, nil
		}
	}
	if errors.Is(err, sql.ErrNoRows) && alias != "" {
		// The alias belongs to another member: this one goes without.
		m.Alias = ""
		err = t.row(`INSERT INTO members (channel, platform_id, name, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			channel, platformID, name, ms(at)).Scan(&m.ID)
		if err != nil {
			return m, fmt.Errorf("add member %s:%s: %w", channel, platformID, err)
		}
	} else if err != nil {
		return m, fmt.Errorf("add member %s:%s: %w", channel, platformID, err)
	}
	m.Pseudonym, err = t.givePseudonym(m.ID)
	return m, err
}

// EnsureChat returns the chat, creating it on first sight and updating its
// title when the platform shows a new one.
func (t *Tx) EnsureChat(channel, platformID string, typ bot.ChatType, title string, at time.Time) (bot.Chat, error) {
	c := bot.Chat{Channel: channel, PlatformID: platformID}
	err := t.row(`SELECT id, type, title, lang, forum, light_media FROM chats WHERE channel = ? AND platform_id = ?`, channel, platformID).
		Scan(&c.ID, &c.Type, &c.Title, &c.Lang, &c.Forum, &c.LightMedia)
	switch {
	case err == nil:
		if title != "" && title != c.Title {
			if _, err := t.exec(`UPDATE chats SET title = ? WHERE id = ?`, title, c.ID); err != nil {
				return c, fmt.Errorf("rename chat %d: %w", c.ID, err)
			}
			c.Title = title
		}
		return c, nil
	case !errors.Is(err, sql.ErrNoRows):
		return c, fmt.Errorf("chat %s:%s: %w", channel, platformID, err)
	}
	c.Type, c.Title = typ, title
	err = t.row(`INSERT INTO chats (channel, platform_id, type, title, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`, channel, platformID, string(typ), title, ms(at)).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		// Another transaction added it meanwhile (a member's private
		// chat, first written to by the bot and by the member at once).
		return t.EnsureChat(channel, platformID, typ, title, at)
	}
	if err != nil {
		return c, fmt.Errorf("add chat %s:%s: %w", channel, platformID, err)
	}
	return c, nil
}

// Arrive resolves an inbound event's chat and member, with their
// membership, in one query; it writes only what is new or changed.
func (t *Tx) Arrive(ev bot.Event, at time.Time) (bot.Chat, bot.Member, error) {
	var (
		c                bot.Chat
		m                bot.Member
		chatID, memberID sql.NullInt64
		chatType         sql.NullString
		title, chatLang  sql.NullString
		forum, light     sql.NullBool
		name, lang       sql.NullString
		alias, pseudonym sql.NullString
		created, seen    sql.NullInt64
		gone             sql.NullBool
	)
	err := t.row(`SELECT c.id, c.type, c.title, c.lang, c.forum, c.light_media, m.id, m.alias, m.name, m.lang, m.created_at, cm.last_seen_at,
		m.pseudonym, cm.left_at IS NOT NULL
		FROM (SELECT 1) AS one
		LEFT JOIN chats c ON c.channel = ? AND c.platform_id = ?
		LEFT JOIN members m ON m.channel = ? AND m.platform_id = ?
		LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.member_id = m.id`,
		ev.Channel, ev.ChatID, ev.Channel, ev.SenderID).
		Scan(&chatID, &chatType, &title, &chatLang, &forum, &light, &memberID, &alias, &name, &lang, &created, &seen, &pseudonym, &gone)
	if err != nil {
		return c, m, fmt.Errorf("arrive %s:%s: %w", ev.Channel, ev.ChatID, err)
	}
	// A member who left and speaks again is back: the general path.
	fresh := chatID.Valid && memberID.Valid && seen.Valid && !gone.Bool && at.Sub(fromMS(seen.Int64)) < lastSeenStep &&
		(ev.ChatTitle == "" || ev.ChatTitle == title.String) && (ev.SenderName == "" || ev.SenderName == name.String) &&
		(ev.SenderAlias == "" || ev.SenderAlias == alias.String) && (!forumNews(ev) || ev.Forum == forum.Bool)
	if !fresh {
		// Something is new or changed: the general path.
		if c, err = t.EnsureChat(ev.Channel, ev.ChatID, ev.ChatType, ev.ChatTitle, at); err != nil {
			return c, m, err
		}
		if forumNews(ev) && ev.Forum != c.Forum {
			if _, err := t.exec(`UPDATE chats SET forum = ? WHERE id = ?`, ev.Forum, c.ID); err != nil {
				return c, m, fmt.Errorf("chat %d forum: %w", c.ID, err)
			}
			c.Forum = ev.Forum
		}
		if m, err = t.ensureMember(ev.Channel, ev.SenderID, ev.SenderAlias, ev.SenderName, at); err != nil {
			return c, m, err
		}
		if err := t.noteSize(c.ID, ev); err != nil {
			return c, m, err
		}
		return c, m, t.JoinChat(c.ID, m.ID, at)
	}
	c = bot.Chat{ID: chatID.Int64, Channel: ev.Channel, PlatformID: ev.ChatID, Type: bot.ChatType(chatType.String),
		Title: title.String, Lang: chatLang.String, Forum: forum.Bool, LightMedia: light.Bool}
	if err := t.noteSize(c.ID, ev); err != nil {
		return c, m, err
	}
	m = bot.Member{ID: memberID.Int64, Channel: ev.Channel, PlatformID: ev.SenderID, Alias: alias.String, Name: name.String,
		Lang: lang.String, Created: fromMS(created.Int64), Pseudonym: pseudonym.String}
	return c, m, nil
}

// noteSize records the group's size when the event tells it (and it
// changed: the update is skipped otherwise).
func (t *Tx) noteSize(chatID int64, ev bot.Event) error {
	if ev.ChatSize <= 0 {
		return nil
	}
	if _, err := t.exec(`UPDATE chats SET size = ? WHERE id = ? AND size != ?`, ev.ChatSize, chatID, ev.ChatSize); err != nil {
		return fmt.Errorf("chat %d size: %w", chatID, err)
	}
	return nil
}

// forumNews reports whether ev tells if its chat is a forum: every
// message in a group does (false on channels without topics).
func forumNews(ev bot.Event) bool {
	return ev.Kind == bot.Message && ev.ChatType == bot.Group
}

// lastSeenStep is how stale chat_members.last_seen_at may get: it only
// decides who counts as active (seen within weeks), and refreshing it on
// every message would rewrite a page per event. The engagement log keeps
// exact times.
const lastSeenStep = time.Hour

// JoinChat records that a member is in a chat and was seen at at (to the
// hour); one who had left is back.
func (t *Tx) JoinChat(chatID, memberID int64, at time.Time) error {
	_, err := t.exec(`INSERT INTO chat_members (chat_id, member_id, joined_at, last_seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (chat_id, member_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, left_at = NULL
		WHERE excluded.last_seen_at - chat_members.last_seen_at >= ? OR chat_members.left_at IS NOT NULL`,
		chatID, memberID, ms(at), ms(at), lastSeenStep.Milliseconds())
	if err != nil {
		return fmt.Errorf("join chat %d: %w", chatID, err)
	}
	return nil
}

const memberColumns = `m.id, m.channel, m.platform_id, m.alias, m.name, m.lang, m.created_at, COALESCE(m.pseudonym, '')`

func scanMember(sc interface{ Scan(...any) error }) (bot.Member, error) {
	var m bot.Member
	var created int64
	var alias sql.NullString
	err := sc.Scan(&m.ID, &m.Channel, &m.PlatformID, &alias, &m.Name, &m.Lang, &created, &m.Pseudonym)
	m.Alias, m.Created = alias.String, fromMS(created)
	return m, err
}

// nullString stores "" as NULL, for columns where NULL means "none" and
// unique indexes must not see empty strings as equal.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ChatMemberIDs lists the ids of the members seen in a chat at or after
// since, and still in it.
func (t *Tx) ChatMemberIDs(chatID int64, since time.Time) ([]int64, error) {
	rows, err := t.query(`SELECT member_id FROM chat_members WHERE chat_id = ? AND last_seen_at >= ? AND left_at IS NULL`, chatID, ms(since))
	if err != nil {
		return nil, fmt.Errorf("chat members %d: %w", chatID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("chat members %d: %w", chatID, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ChatByID returns a chat.
func (t *Tx) ChatByID(id int64) (bot.Chat, error) {
	c := bot.Chat{ID: id}
	err := t.row(`SELECT channel, platform_id, type, title, lang, forum, light_media FROM chats WHERE id = ?`, id).
		Scan(&c.Channel, &c.PlatformID, &c.Type, &c.Title, &c.Lang, &c.Forum, &c.LightMedia)
	if err != nil {
		return c, fmt.Errorf("chat %d: %w", id, notFound(err))
	}
	return c, nil
}

// SetMemberLang sets a member's language.
func (t *Tx) SetMemberLang(memberID int64, lang string) error {
	if _, err := t.exec(`UPDATE members SET lang = ? WHERE id = ?`, lang, memberID); err != nil {
		return fmt.Errorf("set member %d language: %w", memberID, err)
	}
	return nil
}

// SetChatLightMedia sets whether a chat gets pictures as previews.
func (t *Tx) SetChatLightMedia(chatID int64, light bool) error {
	if _, err := t.exec(`UPDATE chats SET light_media = ? WHERE id = ?`, light, chatID); err != nil {
		return fmt.Errorf("chat %d light on data: %w", chatID, err)
	}
	return nil
}

// SetChatLang sets a chat's language.
func (t *Tx) SetChatLang(chatID int64, lang string) error {
	if _, err := t.exec(`UPDATE chats SET lang = ? WHERE id = ?`, lang, chatID); err != nil {
		return fmt.Errorf("set chat %d language: %w", chatID, err)
	}
	return nil
}

// LogEngagement appends to the engagement log.
func (t *Tx) LogEngagement(e bot.Engagement) error {
	if _, err := t.exec(`INSERT INTO engagement (member_id, chat_id, kind, at) VALUES (?, ?, ?, ?)`,
		e.MemberID, e.ChatID, e.Kind, ms(e.At)); err != nil {
		return fmt.Errorf("log engagement: %w", err)
	}
	return nil
}

const runColumns = `id, lesson_id, chat_id, COALESCE(started_by, 0), mode, status, step, seq, state, started_at, updated_at, finished_at`

// Enqueue adds a message to the outbox; a message whose key is queued
// already is ignored.
func (t *Tx) Enqueue(m bot.Outbound, at time.Time) error {
	if m.Key == "" {
		return errors.New("enqueue: message without idempotency key")
	}
	if err := m.Check(); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	lease := t.db.ChatLease(bot.ChatKey(m.Channel, m.ChatID))
	_, err = t.exec(`INSERT INTO outbox (key, channel, chat_id, payload, created_at, next_at, lease) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, m.Key, m.Channel, m.ChatID, payload, ms(at), ms(at), lease)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	if !slices.Contains(t.queued, lease) {
		t.queued = append(t.queued, lease)
	}
	return nil
}
