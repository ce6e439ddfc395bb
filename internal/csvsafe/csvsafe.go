// Package csvsafe writes CSV that is safe to open in a spreadsheet: a
// cell that a spreadsheet would run as a formula (it begins with =, +, -,
// @, a tab or a carriage return, as OWASP lists) is prefixed with a
// single quote, so it shows as text. Group titles, names and answers come
// from members, who could write "=HYPERLINK(...)".
package csvsafe

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// Cell returns s made safe to open in a spreadsheet. Plain numbers, such
// as -3 or -0.5, are left as they are.
func Cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// Writer is a csv.Writer that makes every cell safe.
type Writer struct {
	*csv.Writer
	buf []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, each cell made safe.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	return w.Writer.Write(w.buf)
}
