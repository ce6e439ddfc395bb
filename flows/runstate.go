package flows

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/huddlebot/huddle/bot"
)

// load returns a run's state for the engine to change: the cached one,
// taken out of the cache, when the stored document is the one it was
// written as; else read and decoded with its members' parts.
func (h *Host) load(tx bot.RunStore, run bot.Run) (*State, error) {
	h.mu.Lock()
	c, ok := h.states[run.ID]
	delete(h.states, run.ID)
	h.mu.Unlock()
	if ok && bytes.Equal(c.raw, run.State) {
		return c.st, nil
	}
	st, err := decodeState(run.ID, run.State)
	if err != nil {
		return nil, err
	}
	parts, err := tx.RunMembers(run.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		m := &MemberState{}
		if err := json.Unmarshal(p.State, m); err != nil {
			return nil, fmt.Errorf("run %d member %d: %w", run.ID, p.MemberID, err)
		}
		st.Members[p.MemberID] = m
	}
	return st, nil
}

// keep caches the state just written for an active run.
func (h *Host) keep(run *bot.Run, st *State) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if run.Status != bot.RunActive {
		delete(h.states, run.ID)
		return
	}
	if len(h.states) >= maxCachedStates {
		clear(h.states)
	}
	h.states[run.ID] = cachedState{raw: run.State, st: st}
}

// putBack returns a state the engine did not change to the cache.
func (h *Host) putBack(run bot.Run, st *State) {
	if len(st.touched) > 0 {
		return // changed after all (a run begun before members' parts had rows)
	}
	h.keep(&run, st)
}

// legacyState holds what runs begun before members' parts had rows of
// their own kept in the run's document.
type legacyState struct {
	Members map[int64]*MemberState `json:"members"`
	Open    *struct {
		Expect   []int64         `json:"expect"`
		Answered map[int64]bool  `json:"answered"`
		Picks    map[int64][]int `json:"picks"`
	} `json:"open"`
	Asked []struct {
		Expect []int64 `json:"expect"`
	} `json:"asked"`
}

// decodeState decodes a run's document. One written before members' parts
// had rows of their own has its members moved into parts, touched so that
// the next save writes them.
func decodeState(runID int64, raw []byte) (*State, error) {
	st := &State{Members: map[int64]*MemberState{}}
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, fmt.Errorf("run %d state: %w", runID, err)
	}
	var old legacyState
	if err := json.Unmarshal(raw, &old); err != nil {
		return nil, fmt.Errorf("run %d state: %w", runID, err)
	}
	for id, m := range old.Members {
		m.Joined = true
		st.Members[id] = m
		st.touch(id)
	}
	if o := old.Open; o != nil && st.Open != nil {
		seq := st.Open.Seq
		for _, id := range o.Expect {
			st.touch(id).Waited = seq
			st.Open.Waiting++
			if !o.Answered[id] {
				st.Open.Left++
			}
		}
		for id := range o.Answered {
			st.touch(id).Answered = seq
			st.Open.Count++
		}
		for id, p := range o.Picks {
			m := st.touch(id)
			m.Picks, m.PickSeq = p, seq
		}
	}
	for i, a := range old.Asked {
		for _, id := range a.Expect {
			if m := st.touch(id); !m.Joined {
				m.Missed = append(m.Missed, i)
			}
		}
	}
	return st, nil
}
