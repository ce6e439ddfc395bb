// Package smstext says how an SMS carries a text: in the GSM 7-bit
// alphabet when every character is in it, else in UCS-2, and in how many
// segments, each billed as a message of its own.
//
// The rules (3GPP TS 23.038 for the alphabet; the limits as gateways bill
// them, Twilio's "What the Heck is a Segment?" among them): a GSM-7 text
// of up to 160 septets is one segment, a longer one goes in parts of 153
// (the other 7 hold the header that joins them); a character of the
// alphabet's extension table (^ { } \ [ ~ ] | € and form feed) takes two
// septets, and the two are never split across parts. A text with any
// other character goes in UCS-2: up to 70 UTF-16 code units in one
// segment, else parts of 67; a character outside the Basic Multilingual
// Plane (an emoji) takes two code units, never split across parts. So
// one emoji, or one "ç" (the alphabet has "Ç" only), turns a text into
// UCS-2, with less than half the room.
package smstext

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoding is how an SMS carries a text.
type Encoding string

// The encodings.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// Count is what a text takes as an SMS.
type Count struct {
	Encoding Encoding
	// Units are septets in GSM-7, UTF-16 code units in UCS-2.
	Units int
	// Segments are the messages it is sent (and billed) as; 0 for an
	// empty text.
	Segments int
}

// Limits of one segment, and of each part of a longer text, in units.
const (
	gsmSingle, gsmPart   = 160, 153
	ucs2Single, ucs2Part = 70, 67
)

// basic is the GSM 7-bit default alphabet; extended, its extension table
// (each an escape and the character: two septets).
const (
	basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	extended = "\f^{}\\[~]|€"
)

// septets maps each character of the alphabet to its septets.
var septets = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range basic {
		m[r] = 1
	}
	for _, r := range extended {
		m[r] = 2
	}
	return m
}()

// InGSM reports whether r is in the GSM 7-bit alphabet (its extension
// table included).
func InGSM(r rune) bool { return septets[r] > 0 }

// Measure says how text goes as an SMS.
func Measure(text string) Count {
	if text == "" {
		return Count{Encoding: GSM7}
	}
	gsm := true
	for _, r := range text {
		if !InGSM(r) {
			gsm = false
			break
		}
	}
	var sizes []int // each character's units, in order
	single, part := gsmSingle, gsmPart
	enc := GSM7
	if gsm {
		for _, r := range text {
			sizes = append(sizes, septets[r])
		}
	} else {
		enc, single, part = UCS2, ucs2Single, ucs2Part
		for _, r := range text {
			if r == utf8.RuneError {
				sizes = append(sizes, 1)
				continue
			}
			sizes = append(sizes, utf16.RuneLen(r))
		}
	}
	units := 0
	for _, n := range sizes {
		units += n
	}
	if units <= single {
		return Count{Encoding: enc, Units: units, Segments: 1}
	}
	// Parts fill up to part units each; a character never straddles two.
	segments, used := 1, 0
	for _, n := range sizes {
		if used+n > part {
			segments, used = segments+1, 0
		}
		used += n
	}
	return Count{Encoding: enc, Units: units, Segments: segments}
}

// Numbered is a message with options as an SMS carries it: the text, and
// each option on a line of its own after its number, which a member
// answers by sending. An option the text lists already (a quiz's
// "1. Fast breathing") is not said twice, and one labelled with its
// number already is not numbered again.
func Numbered(text string, options []string) string {
	lines := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	var b strings.Builder
	b.WriteString(text)
	for i, o := range options {
		o = strings.TrimSpace(o)
		n := fmt.Sprintf("%d. ", i+1)
		if lines[o] || lines[n+o] {
			continue
		}
		if !strings.HasPrefix(o, n) {
			o = n + o
		}
		b.WriteString("\n" + o)
	}
	return b.String()
}

// Plain is text without the symbols that open its lines as decoration
// ("📘 Danger signs", "✅ Correct!"): each line's leading run of
// pictographs, with the space after it. An emoji turns a whole SMS into
// UCS-2, with less than half the room, and a feature phone may show it as
// a box; one in the middle of a sentence is the author's, and stays.
func Plain(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		rest := strings.TrimLeftFunc(line, pictograph)
		if rest != line && strings.HasPrefix(rest, " ") {
			lines[i] = strings.TrimLeft(rest, " ")
		}
	}
	return strings.Join(lines, "\n")
}

// pictograph reports whether r is an emoji or another pictographic
// symbol, or what joins and styles them (a zero-width joiner, a variation
// selector, a keycap).
func pictograph(r rune) bool {
	switch {
	case r > 0xFFFF, r == 0x200D, r == 0x20E3, r >= 0xFE00 && r <= 0xFE0F:
		return true
	case r >= 0x2190 && r <= 0x2BFF: // arrows, technical symbols, dingbats
		return !InGSM(r)
	}
	return false
}
