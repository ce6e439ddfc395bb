package schedule_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/schedule"
)

// idleStore is a ScheduleStore with nothing due: the narrow interface a
// fake of the scheduler's store needs.
type idleStore struct{}

func (idleStore) Update(context.Context, func(bot.Tx) error) error { return nil }
func (idleStore) DueAssignments(context.Context, time.Time, int) ([]bot.Assignment, error) {
	return nil, nil
}
func (idleStore) DueTimers(context.Context, time.Time, int) ([]bot.Timer, error) { return nil, nil }

// TestSchedulerJobs: a job runs at once and then every its Every, and the
// scheduler's Run returns once it has stopped; a run that fails is logged
// and does not wake the sender, one that succeeds does. It runs in a
// synctest bubble: the scheduler's clock is the bubble's, so an hour of
// jobs every ten minutes takes no time.
func TestSchedulerJobs(t *testing.T) { synctest.Test(t, testSchedulerJobs) }

func testSchedulerJobs(t *testing.T) {
	var runs, woken atomic.Int32
	logs := &huddletest.LogBuffer{}
	s := schedule.New(schedule.Config{Store: idleStore{}, Logger: logs.Logger(), Committed: func() { woken.Add(1) },
		Features: []bot.Feature{{Name: "counter", Jobs: []bot.Job{{Name: "count", Every: 10 * time.Minute, Run: func(context.Context, bot.ChatQueue) error {
			if runs.Add(1) == 2 {
				return errors.New("the second run fails")
			}
			return nil
		}}}}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	// At once, then every ten minutes: 0, 10, 20, 30, 40.
	time.Sleep(45 * time.Minute)
	synctest.Wait()
	if n := runs.Load(); n != 5 {
		t.Errorf("%d runs in 45 minutes of jobs every 10; want 5", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n, w := runs.Load(), woken.Load()
	if w != n-1 {
		t.Errorf("%d runs woke the sender %d times; want all but the failed one", n, w)
	}
	if !strings.Contains(logs.String(), "the second run fails") || !strings.Contains(logs.String(), "count") {
		t.Errorf("the failure was not logged with the job's name:\n%s", logs)
	}
}
