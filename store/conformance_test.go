package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/internal/testkit/storetest"
	"github.com/huddlebot/huddle/store"
)

// TestConformance runs the store conformance suite against SQLite's
// store, on real database files.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, _ := open(t)
		return db
	}, func(t *testing.T, path string) storetest.Store {
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestConformancePostgres runs the same suite against the store on a real
// PostgreSQL server, a fresh database for each test; a SQLite file's data
// is loaded into one by huddle copy.
func TestConformancePostgres(t *testing.T) {
	openPG := func(t *testing.T, url string) storetest.Store {
		db, err := store.OpenPostgres(context.Background(), url, filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openPG(t, pgtest.URL(t))
	}, func(t *testing.T, path string) storetest.Store {
		url := pgtest.URL(t)
		if _, err := store.Copy(context.Background(), path, url, nil); err != nil {
			t.Fatal(err)
		}
		return openPG(t, url)
	})
}
