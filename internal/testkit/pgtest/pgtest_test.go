package pgtest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/pgtest"
)

// TestServer: two tests get two databases of one real server.
func TestServer(t *testing.T) {
	a, b := pgtest.URL(t), pgtest.URL(t)
	if a == b {
		t.Fatalf("one database for two: %s", a)
	}
	db, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(context.Background(), "SHOW server_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL %s at %s", v, a)
}
