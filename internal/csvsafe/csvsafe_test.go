package csvsafe

import (
	"bytes"
	"testing"
)

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ward 7", "Ward 7"},
		{"", ""},
		{"=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"},
		{"+254700000000", "+254700000000"}, // a number: nothing to run
		{"+1+1", "'+1+1"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-3", "-3"},
		{"-0.5", "-0.5"},
		{"Amina = leader", "Amina = leader"},
	}
	for _, tt := range tests {
		if got := Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Write([]string{"=1+1", "7"})
	w.Flush()
	if got := b.String(); got != "'=1+1,7\n" {
		t.Errorf("written %q", got)
	}
}
