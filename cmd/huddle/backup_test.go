package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/huddlebot/huddle/internal/testkit"
	"github.com/huddlebot/huddle/report"
	"github.com/huddlebot/huddle/store"
)

// TestBackupWhileRunning: huddle backup copies the database of a running
// huddle while members write to it; huddle restore refuses while it runs,
// and once it is stopped puts the copy in place, which huddle then runs on
// with the members' messages the copy held.
func TestBackupWhileRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "data", "huddle.db")
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := []string{"HUDDLE_DATABASE=" + dbPath, fmt.Sprintf("HUDDLE_HTTP_LISTEN=127.0.0.1:%d", port), "HUDDLE_PRIVACY_CONSENT_ASK=false"}
	p := startHuddle(t, env)
	testkit.Eventually(t, 30*time.Second, "huddle to start", func() bool { return strings.Contains(p.log.String(), "dashboard ready") }, p.log.String)

	// Members write all the while.
	var said atomic.Int64
	stop := make(chan struct{})
	var members sync.WaitGroup
	for m := range 3 {
		members.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"chat":"ward-7","chat_type":"group","chat_title":"Ward 7","sender":"m%d","name":"M%d","text":"note %d"}`, m, m, i)
				resp, err := http.Post(base+"/api/messages", "application/json", strings.NewReader(body))
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				said.Add(1)
			}
		})
	}
	testkit.Eventually(t, 20*time.Second, "members writing", func() bool { return said.Load() >= 100 })
	dir := filepath.Join(t.TempDir(), "backup")
	out, err := execute(t, "backup", "--db", dbPath, dir)
	close(stop)
	members.Wait()
	if err != nil || !strings.Contains(out, "backed up "+dbPath+" into "+dir) {
		t.Fatalf("backup while running: %v\n%s", err, out)
	}
	if out, err := execute(t, "restore", "--db", dbPath, dir); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("restore while running: %v\n%s", err, out)
	}

	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	if out, err := execute(t, "restore", "--db", dbPath, dir); err != nil || !strings.Contains(out, "Start huddle again") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	reader, err := store.OpenReader(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := reader.Overview(t.Context(), report.Range{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
	reader.Close()
	if err != nil {
		t.Fatal(err)
	}
	var held int
	for _, g := range groups {
		if g.PlatformID == "ward-7" {
			held = g.Messages
		}
	}
	if held < 100 || int64(held) > said.Load() {
		t.Errorf("the restored database holds %d of the group's messages; at least 100 were written before the backup, %d in all", held, said.Load())
	}
	p = startHuddle(t, env)
	testkit.Eventually(t, 30*time.Second, "huddle to start on the restored database", func() bool { return strings.Contains(p.log.String(), "dashboard ready") }, p.log.String)
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	if matches, _ := filepath.Glob(dbPath + ".replaced-*"); len(matches) != 1 {
		t.Errorf("what the restore replaced, kept beside it: %v", matches)
	}
}
