package flows

import (
	"errors"
	"io/fs"
	"os"
)

// Folder returns the lessons folder dir as a file system that never
// leaves it: every access goes through os.OpenRoot, which refuses a path,
// or a symbolic link, that leads outside dir (os.DirFS follows links
// wherever they point, so a link in the folder could serve any file the
// process may read: in the dashboard's preview, or to members as a
// lesson's document). A link that stays inside dir works as usual.
//
// Each access opens dir afresh, so a folder replaced by another of the
// same name (a deploy renaming a new folder over the old) is read anew.
func Folder(dir string) fs.FS { return folder(dir) }

type folder string

// root runs fn on a root opened at the folder, closed after.
func (f folder) root(fn func(fs.FS) error) error {
	r, err := os.OpenRoot(string(f))
	if err != nil {
		return err
	}
	defer r.Close()
	return fn(r.FS())
}

// Open opens name; the file stays open after the root is closed.
func (f folder) Open(name string) (fs.File, error) {
	var file fs.File
	err := f.root(func(fsys fs.FS) (err error) { file, err = fsys.Open(name); return err })
	return file, err
}

// ReadFile reads name whole.
func (f folder) ReadFile(name string) ([]byte, error) {
	var data []byte
	err := f.root(func(fsys fs.FS) (err error) { data, err = fs.ReadFile(fsys, name); return err })
	return data, err
}

// ReadDir lists the folder name.
func (f folder) ReadDir(name string) ([]fs.DirEntry, error) {
	var entries []fs.DirEntry
	err := f.root(func(fsys fs.FS) (err error) { entries, err = fs.ReadDir(fsys, name); return err })
	return entries, err
}

// Stat describes name, following a link that stays inside.
func (f folder) Stat(name string) (fs.FileInfo, error) {
	var info fs.FileInfo
	err := f.root(func(fsys fs.FS) (err error) { info, err = fs.Stat(fsys, name); return err })
	return info, err
}

// Lstat describes name, a link as a link.
func (f folder) Lstat(name string) (fs.FileInfo, error) {
	var info fs.FileInfo
	err := f.root(func(fsys fs.FS) (err error) { info, err = fs.Lstat(fsys, name); return err })
	return info, err
}

// ReadLink says where the link name leads.
func (f folder) ReadLink(name string) (string, error) {
	var to string
	err := f.root(func(fsys fs.FS) (err error) { to, err = fs.ReadLink(fsys, name); return err })
	return to, err
}

// LinkProblem says what is wrong with name when it is a link that cannot
// be followed: it leads outside the folder, or nowhere.
func LinkProblem(fsys fs.FS, name string) (string, bool) {
	info, err := fs.Lstat(fsys, name)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return "", false
	}
	_, err = fs.Stat(fsys, name)
	switch {
	case err == nil:
		return "", false
	case errors.Is(err, fs.ErrNotExist):
		return "is a link to a file that does not exist", true
	default:
		return "is a link to a file outside the lessons folder, which Huddle does not read: copy the file into the folder instead", true
	}
}
