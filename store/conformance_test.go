package store_test

import (
	"testing"

	"github.com/huddlebot/huddle/store/storetest"
)

// TestConformance runs the store conformance suite against SQLite's
// store, on real database files.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, _ := open(t)
		return db
	})
}
