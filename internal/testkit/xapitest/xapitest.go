// Package xapitest validates xAPI statements with an independent validator,
// Learning Locker's npm package xapi-validation, pinned in node/.
package xapitest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/huddlebot/huddle/internal/testkit/npmtest"
)

func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "node")
}

// Problems validates statements (each a JSON object) and returns, for each
// invalid one, its index and the validator's warnings. It skips the test
// without Node.js (fails under CI).
func Problems(t testing.TB, statements [][]byte) map[int]string {
	t.Helper()
	npmtest.Install(t, "xAPI validator", dir(), "xapi-validation")
	var in bytes.Buffer
	for _, s := range statements {
		in.Write(bytes.ReplaceAll(s, []byte("\n"), nil))
		in.WriteByte('\n')
	}
	cmd := exec.Command("node", "validate.js")
	cmd.Dir = dir()
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xAPI validator: %v", err)
	}
	problems := map[int]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	i := 0
	for ; sc.Scan(); i++ {
		var warnings []struct {
			Path    []any  `json:"path"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(sc.Bytes(), &warnings); err != nil {
			t.Fatalf("xAPI validator output %q: %v", sc.Text(), err)
		}
		if len(warnings) > 0 {
			problems[i] = fmt.Sprint(warnings)
		}
	}
	if i != len(statements) {
		t.Fatalf("xAPI validator judged %d statements of %d", i, len(statements))
	}
	return problems
}
