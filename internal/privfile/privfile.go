// Package privfile prepares the files that hold members' data (the
// database and the WhatsApp session) so that only their owner can read
// them: the folders it creates are 0700, the file 0600, before SQLite
// opens it (SQLite gives the file's WAL and shared-memory files the same
// mode).
package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Prepare creates path's missing folders (0700) and path itself, empty,
// with mode 0600 when it does not exist. It fails, naming the path, when
// the file or its folder (where SQLite keeps the WAL) cannot be written.
// An existing file readable by others is narrowed to 0600.
func Prepare(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create the folder of %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := writable(path); err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 && info.Mode().IsRegular() {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("make %s private: %w", path, err)
		}
	}
	return nil
}

// writable checks that path and its folder can be written by this process.
func writable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("%s cannot be written: %w", path, err)
	}
	f.Close()
	dir := filepath.Dir(path)
	probe, err := os.CreateTemp(dir, ".huddle-write-check-*")
	if err != nil {
		return fmt.Errorf("the folder %s cannot be written (the database keeps its WAL beside it): %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}
