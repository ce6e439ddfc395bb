//go:build !unix

package filelock

import "os"

// Lock is a no-op where flock is not available.
func Lock(string) (*os.File, error) { return nil, nil }
