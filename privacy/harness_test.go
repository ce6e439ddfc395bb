package privacy_test

import (
	"strings"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/huddletest"
	"github.com/huddlebot/huddle/internal/testkit/simtest"
)

// harness is Huddle on the simulator.
type harness struct{ *simtest.Bot }

func start(t *testing.T) *harness { return startWith(t, huddletest.Options{}) }

func startWith(t *testing.T, opts huddletest.Options) *harness {
	return &harness{simtest.Start(t, opts)}
}

// title is a sender's display name: "amina" shows as "Amina".
func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
