package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/internal/testkit/pgtest"
	"github.com/huddlebot/huddle/store"
)

// execute runs the huddle command line with args and returns its output
// and error.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCmd(&out, &out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestUnknownSubcommand: a mistyped subcommand fails with a suggestion,
// at every level; a group alone prints its help and succeeds.
func TestUnknownSubcommand(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr []string // empty: succeeds
		wantOut string
	}{
		{[]string{"lessons", "validat"}, []string{`unknown command "validat" for "huddle lessons"`, "Did you mean this?", "validate"}, ""},
		{[]string{"whatsapp", "stauts"}, []string{`unknown command "stauts"`, "status"}, ""},
		{[]string{"privacy", "purj"}, []string{`unknown command "purj"`, "purge"}, ""},
		{[]string{"mentors", "ad"}, []string{`unknown command "ad"`, "add"}, ""},
		{[]string{"export", "nothing-like-it"}, []string{`unknown command "nothing-like-it"`, "huddle export --help"}, ""},
		{[]string{"lesons"}, []string{`unknown command "lesons"`, "lessons"}, ""},
		{[]string{"privacy"}, nil, "purge"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, err := execute(t, tt.args...)
			if len(tt.wantErr) == 0 {
				if err != nil || !strings.Contains(out, tt.wantOut) {
					t.Errorf("err %v, output %q; want success with %q", err, out, tt.wantOut)
				}
				return
			}
			if err == nil {
				t.Fatalf("succeeded with %q; want an error", out)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestDBFlag: every command that reads the database takes --db, and uses
// it in place of the configured database.
func TestDBFlag(t *testing.T) {
	for _, path := range [][]string{{"run"}, {"report"}, {"export", "xapi"}, {"privacy", "purge"}, {"mentors", "list"}, {"mentors", "add"}, {"mentors", "remove"}} {
		cmd, _, err := newRootCmd(nil, nil).Find(path)
		if err != nil || cmd.Flags().Lookup("db") == nil || cmd.Flags().Lookup("config") == nil && cmd.InheritedFlags().Lookup("config") == nil {
			t.Errorf("huddle %s has no --db or --config (%v)", strings.Join(path, " "), err)
		}
	}
	t.Chdir(t.TempDir())
	missing := filepath.Join(t.TempDir(), "elsewhere.db")
	for _, args := range [][]string{{"report"}, {"privacy", "purge", "--dry-run"}, {"mentors", "list"}} {
		_, err := execute(t, append(args, "--db", missing)...)
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("huddle %s --db %s: error %v; want one naming that file", strings.Join(args, " "), missing, err)
		}
	}
	db := filepath.Join(t.TempDir(), "given.db")
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if out, err := execute(t, "report", "--db", db, "--format", "csv"); err != nil || !strings.HasPrefix(out, "group,members,") {
		t.Errorf("report --db: %v\n%s", err, out)
	}
}

// TestMentorsCommand: a program officer lists, adds and removes mentors
// from the command line; a waiting case is due for a mentor at once.
func TestMentorsCommand(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "huddle.yaml")
	db := filepath.Join(dir, "huddle.db")
	writeFile(t, cfgFile, "database: "+db+"\nchannels:\n  telegram:\n    token: \"123:abc\"\nmentors:\n  obstetrics: [\"telegram:111\"]\n  hiv: []\n")
	ctx := context.Background()
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(-time.Hour)
	var caseID int64
	err = d.Update(ctx, func(tx bot.Tx) error {
		if _, err := tx.EnsureMember("telegram", "222", "Joyce Achieng", t0); err != nil {
			return err
		}
		chat, err := tx.EnsureChat("telegram", "-100", bot.Group, "Ward 7", t0)
		if err != nil {
			return err
		}
		c := bot.Case{ChatID: chat.ID, Queue: "obstetrics", Text: "a case", Status: bot.CaseOpen, Created: t0}
		if err := tx.CreateCase(&c); err != nil {
			return err
		}
		c.Escalated, c.NextCheck = t0, t0.Add(15*time.Hour)
		caseID = c.ID
		return tx.SaveCase(&c)
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		args    []string
		wantErr string
		wantOut []string
	}{
		{[]string{"mentors", "list"}, "", []string{"hiv\n  no mentor", "obstetrics\n  telegram:111", "configuration"}},
		{[]string{"mentors", "add", "cardiology", "telegram:222"}, `no queue "cardiology"`, nil},
		{[]string{"mentors", "add", "obstetrics", "telegram:999"}, "has not written to the bot yet", nil},
		{[]string{"mentors", "add", "obstetrics", "telegram:111"}, "in the configuration", nil},
		{[]string{"mentors", "add", "obstetrics", "222"}, "channel:id", nil},
		{[]string{"mentors", "add", "obstetrics", "telegram:222"}, "", []string{"telegram:222 (Member-", "is now a mentor of obstetrics"}},
		{[]string{"mentors", "add", "obstetrics", "telegram:222"}, "", []string{"was already"}},
		{[]string{"mentors", "list"}, "", []string{"telegram:222", "added " + time.Now().Format(time.DateOnly)}},
	}
	for _, st := range steps {
		out, err := execute(t, append(st.args, "--config", cfgFile)...)
		if st.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), st.wantErr) {
				t.Errorf("%v: error %v, want %q", st.args, err, st.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", st.args, err)
		}
		for _, w := range st.wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", st.args, w, out)
			}
		}
		if strings.Contains(out, "Joyce") {
			t.Errorf("%v: output names the member: %s", st.args, out)
		}
	}
	d, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	due, err := d.DueCases(ctx, time.Now(), 10)
	if err != nil || len(due) != 1 || due[0].ID != caseID {
		t.Errorf("after add: due cases %v (%v); want case %d due at once", due, err, caseID)
	}
	// While huddle runs (the database is open, its lock held), a change
	// goes in beside it, and the running store reads it.
	out, err := execute(t, "mentors", "remove", "obstetrics", "telegram:222", "--config", cfgFile)
	if err != nil || !strings.Contains(out, "no longer a mentor") {
		t.Errorf("remove while running: %v %s", err, out)
	}
	var left []string
	err = d.Update(ctx, func(tx bot.Tx) error {
		added, err := tx.AddedMentors("obstetrics")
		for _, m := range added["obstetrics"] {
			left = append(left, m.Pseudonym)
		}
		return err
	})
	if err != nil || len(left) != 0 {
		t.Errorf("the running store's added mentors after the remove: %v (%v)", left, err)
	}
	d.Close()
	if out, err := execute(t, "mentors", "remove", "obstetrics", "telegram:222", "--config", cfgFile); err != nil || !strings.Contains(out, "was not an added mentor") {
		t.Errorf("remove again: %v %s", err, out)
	}
}

// TestMentorsCommandTrial: with the simulator as the only channel, huddle
// run sends escalated cases to a "general" queue its mentor persona
// answers; the mentors command sees that queue too, so a trial can add a
// mentor to it as a program would.
func TestMentorsCommandTrial(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "huddle.yaml")
	db := filepath.Join(dir, "huddle.db")
	writeFile(t, cfgFile, "database: "+db+"\n")
	ctx := context.Background()
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Update(ctx, func(tx bot.Tx) error {
		_, err := tx.EnsureMember("sim", "m9", "Wambui", time.Now())
		return err
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := execute(t, "mentors", "list", "--config", cfgFile)
	if err != nil || !strings.Contains(out, "general\n  sim:mentor") || !strings.Contains(out, "the simulator's mentor") {
		t.Errorf("mentors list in a trial: %v\n%s", err, out)
	}
	out, err = execute(t, "mentors", "add", "general", "sim:m9", "--config", cfgFile)
	if err != nil || !strings.Contains(out, "is now a mentor of general") {
		t.Errorf("mentors add general in a trial: %v %s", err, out)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateCommand: huddle migrate creates a SQLite database and says
// it is up to date after; on a real PostgreSQL it applies PostgreSQL's
// migrations, the same versions.
func TestMigrateCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	if out, err := execute(t, "migrate", "--status"); err != nil || !strings.Contains(out, "no database yet") {
		t.Errorf("--status before: %v\n%s", err, out)
	}
	if out, err := execute(t, "migrate"); err != nil || !strings.Contains(out, "created at schema version") {
		t.Errorf("migrate: %v\n%s", err, out)
	}
	if out, err := execute(t, "migrate", "--status"); err != nil || !strings.Contains(out, "up to date") {
		t.Errorf("--status after: %v\n%s", err, out)
	}
	url := pgtest.URL(t)
	if out, err := execute(t, "migrate", "--db", url); err != nil || !strings.Contains(out, "schema version 0 → ") {
		t.Errorf("migrate PostgreSQL: %v\n%s", err, out)
	}
	if out, err := execute(t, "migrate", "--db", url, "--status"); err != nil || !strings.Contains(out, "up to date") {
		t.Errorf("--status on PostgreSQL: %v\n%s", err, out)
	}
}

// TestCopyCommand: huddle copy moves a program into PostgreSQL and says
// what it copied; a URL other than PostgreSQL's is refused.
func TestCopyCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := execute(t, "demo", "seed", "--groups", "2", "--members", "20", "--weeks", "1", "--db", "demo.db"); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(t, "copy", "--from", "sqlite:demo.db", "--to", "mysql://db/huddle"); err == nil {
		t.Error("copied into a MySQL URL")
	}
	out, err := execute(t, "copy", "--from", "sqlite:demo.db", "--to", pgtest.URL(t))
	if err != nil || !strings.Contains(out, "every count checked on both sides") || !strings.Contains(out, "answers") {
		t.Errorf("copy: %v\n%s", err, out)
	}
}
