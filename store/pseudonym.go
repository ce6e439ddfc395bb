package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/huddlebot/huddle/bot"
)

// givePseudonym gives a member a pseudonym no one has: four random
// digits, more once four get crowded.
func (t *Tx) givePseudonym(memberID int64) (string, error) {
	for try := 0; ; try++ {
		digits := 4 + try/4
		lo := 1
		for range digits - 1 {
			lo *= 10
		}
		cand := fmt.Sprintf("%s%d", bot.PseudonymPrefix, lo+rand.IntN(9*lo))
		taken, err := t.pseudonymTaken(cand)
		if err != nil {
			return "", err
		}
		if taken {
			continue
		}
		// Another transaction may give the same one at the same moment
		// (PostgreSQL runs them side by side): the unique index refuses
		// the second, which tries another.
		_, err = t.tryExec(`UPDATE members SET pseudonym = ? WHERE id = ?`, cand, memberID)
		if isUnique(err) && try < 20 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("pseudonym of member %d: %w", memberID, err)
		}
		return cand, nil
	}
}

// pseudonymTaken reports whether some member has name as pseudonym,
// without regard to case.
func (t *Tx) pseudonymTaken(name string) (bool, error) {
	var one int
	err := t.row(`SELECT 1 FROM members WHERE `+t.db.dialect(`pseudonym = ? COLLATE NOCASE`, `lower(pseudonym) = lower(?)`), name).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("pseudonym %q: %w", name, err)
	}
	return true, nil
}

// SetPseudonym gives a member the pseudonym they chose; bot.ErrDuplicate when
// another member has it (in any case).
func (t *Tx) SetPseudonym(memberID int64, name string) error {
	var owner int64
	key := bot.NameKey(name)
	err := t.row(`SELECT id FROM members WHERE (`+t.db.dialect(`pseudonym = ?1 COLLATE NOCASE`, `lower(pseudonym) = lower(?1)`)+` OR name_key = ?2) AND id != ?3 LIMIT 1`,
		name, key, memberID).Scan(&owner)
	switch {
	case err == nil:
		return fmt.Errorf("pseudonym %q: %w", name, bot.ErrDuplicate)
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("pseudonym %q: %w", name, err)
	}
	// Another member may take it at the same moment (side by side on
	// PostgreSQL): the unique index refuses the second.
	_, err = t.tryExec(`UPDATE members SET pseudonym = ?, name_key = ? WHERE id = ?`, name, key, memberID)
	if isUnique(err) {
		return fmt.Errorf("pseudonym %q: %w", name, bot.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("pseudonym of member %d: %w", memberID, err)
	}
	return nil
}

// fillNameKeys keys the names members chose before keys were kept.
func (d *DB) fillNameKeys(ctx context.Context) error {
	return d.update(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT id, pseudonym FROM members WHERE name_key IS NULL AND pseudonym IS NOT NULL
			AND pseudonym NOT LIKE ? || '%'`, bot.PseudonymPrefix)
		if err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		keys := map[int64]string{}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return fmt.Errorf("name keys: %w", err)
			}
			keys[id] = bot.NameKey(name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		for id, k := range keys {
			if _, err := tx.exec(`UPDATE members SET name_key = ? WHERE id = ?`, k, id); err != nil {
				return fmt.Errorf("name keys: %w", err)
			}
		}
		return nil
	})
}

// fillPseudonyms gives a pseudonym to every member without one (members
// from before pseudonyms, or written straight into the table).
func (d *DB) fillPseudonyms(ctx context.Context) error {
	for {
		var ids []int64
		err := d.update(ctx, func(tx *Tx) error {
			rows, err := tx.query(`SELECT id FROM members WHERE pseudonym IS NULL LIMIT 1000`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			for _, id := range ids {
				if _, err := tx.givePseudonym(id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("give pseudonyms: %w", err)
		}
		if len(ids) < 1000 {
			return nil
		}
	}
}
