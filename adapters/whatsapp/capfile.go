package whatsapp

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"time"
)

// errTooLarge says a download outgrew its cap.
var errTooLarge = errors.New("the file is larger than Huddle keeps")

// capFile is a file in memory that refuses to grow past max bytes: whatsmeow's
// DownloadToFile writes a download into it as the body arrives, so a file
// larger than its message claimed is refused at the cap, not once it has
// all been read into memory (whatsmeow's Download reads the whole body
// first).
type capFile struct {
	data []byte
	off  int64
	max  int64
}

// Write writes at the offset, as a file does.
func (f *capFile) Write(p []byte) (int, error) {
	n, err := f.WriteAt(p, f.off)
	f.off += int64(n)
	return n, err
}

// WriteAt writes p at off, growing the file up to its cap.
func (f *capFile) WriteAt(p []byte, off int64) (int, error) {
	end := off + int64(len(p))
	if off < 0 || end > f.max {
		return 0, errTooLarge
	}
	if end > int64(len(f.data)) {
		f.data = append(f.data, make([]byte, end-int64(len(f.data)))...)
	}
	return copy(f.data[off:], p), nil
}

// Read reads from the offset.
func (f *capFile) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.off)
	f.off += int64(n)
	return n, err
}

// ReadAt reads at off.
func (f *capFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Seek moves the offset.
func (f *capFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += int64(len(f.data))
	}
	if offset < 0 {
		return f.off, errors.New("seek before the start")
	}
	f.off = offset
	return offset, nil
}

// Truncate sets the file's size, within its cap.
func (f *capFile) Truncate(size int64) error {
	switch {
	case size < 0 || size > f.max:
		return errTooLarge
	case size <= int64(len(f.data)):
		f.data = f.data[:size]
	default:
		f.data = append(f.data, make([]byte, size-int64(len(f.data)))...)
	}
	return nil
}

// Stat says the file's size.
func (f *capFile) Stat() (os.FileInfo, error) { return capInfo(len(f.data)), nil }

// capInfo is a capFile's size as an os.FileInfo.
type capInfo int64

func (i capInfo) Name() string       { return "download" }
func (i capInfo) Size() int64        { return int64(i) }
func (i capInfo) Mode() fs.FileMode  { return 0o600 }
func (i capInfo) ModTime() time.Time { return time.Time{} }
func (i capInfo) IsDir() bool        { return false }
func (i capInfo) Sys() any           { return nil }
