// Package cases runs case discussions: a member shares a de-identified
// case with the group, peers reply in its thread, and a case peers could
// not settle goes to a mentor, whose answer comes back to the thread. Case
// text is checked for what could identify a patient before anything is
// posted or stored.
package cases

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Kinds of identifier Check finds.
const (
	KindPhone  = "phone number"
	KindRecord = "record or ID number"
	KindDate   = "full date (such as a date of birth)"
	KindEmail  = "email address"
	KindName   = "name"
)

// Finding is one span of text that could identify a patient.
type Finding struct {
	Kind       string
	Start, End int // byte offsets in the checked text
}

// Removed replaces each identifier in a redacted text.
const Removed = "[removed]"

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// Record numbers after a cue: "MRN 44812", "IP no. 2023/1182",
	// "national ID: 28765432", "dossier n° A-55621".
	recordCueRe = regexp.MustCompile(`(?i)\b(?:mrn|ip|op|opd|ipd|file|folder|record|reg(?:istration)?|hospital|national|nat|id|nin|passport|chart|dossier|matricule|cni)\b\.?\s*(?:no\.?|n°|number|num\.?|#|id)?\s*[:#]?\s*([A-Za-z]{0,4}[\-/]?\d[\dA-Za-z/\-]{2,})`)
	// Code-like numbers: "KNH/2023/11823", "AB-123456".
	codeRe = regexp.MustCompile(`\b[A-Za-z]{1,6}[/\-]\d{2,}(?:[/\-]\d+)+\b|\b[A-Za-z]{1,3}-?\d{5,}\b`)
	// Digit runs, with the separators people write in phone numbers.
	digitsRe = regexp.MustCompile(`\+?\d[\d \-.()]*\d`)
	months   = `jan(?:uary|vier)?|feb(?:ruary)?|févr(?:ier)?|fevr(?:ier)?|mar(?:ch|s)?|apr(?:il)?|avr(?:il)?|may|mai|june?|juin|july?|juil(?:let)?|aug(?:ust)?|août|aout|sep(?:t(?:ember|embre)?)?|oct(?:ober|obre)?|nov(?:ember|embre)?|dec(?:ember)?|déc(?:embre)?`
	dateRes  = []*regexp.Regexp{
		regexp.MustCompile(`\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b`),
		regexp.MustCompile(`\b\d{4}-\d{1,2}-\d{1,2}\b`),
		regexp.MustCompile(`(?i)\b\d{1,2}(?:st|nd|rd|th|er)?\s+(?:` + months + `)\.?,?\s+\d{4}\b`),
		regexp.MustCompile(`(?i)\b(?:` + months + `)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b`),
	}
	// Names after a title or "patient": capitalised words.
	titleNameRe = regexp.MustCompile(`(?i:\b(?:mrs|mr|ms|miss|mme|mlle|madame|monsieur|mama|baba|patient|patiente|baby of|bébé de)\.?)\s+(\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){0,2})`)
	// Names after "named", "called", "name is": the next word or two,
	// whatever their case.
	namedRe = regexp.MustCompile(`(?i:\b(?:named|called|name is|name was|nommée?|appelée?|s'appelle|du nom de))\s+([\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+)?)`)
)

// Check finds what in text could identify a patient: phone numbers, record
// and ID numbers, full dates, email addresses, and names after cues such
// as "Mrs", "patient" or "named". It returns the findings in order, with
// overlapping ones merged, and the text with each replaced by [removed].
// It errs on the side of flagging: the author confirms or edits.
func Check(text string) ([]Finding, string) {
	var fs []Finding
	add := func(kind string, start, end int) { fs = append(fs, Finding{Kind: kind, Start: start, End: end}) }
	for _, m := range emailRe.FindAllStringIndex(text, -1) {
		add(KindEmail, m[0], m[1])
	}
	for _, re := range dateRes {
		for _, m := range re.FindAllStringIndex(text, -1) {
			add(KindDate, m[0], m[1])
		}
	}
	for _, m := range recordCueRe.FindAllStringSubmatchIndex(text, -1) {
		add(KindRecord, m[2], m[3])
	}
	for _, m := range codeRe.FindAllStringIndex(text, -1) {
		add(KindRecord, m[0], m[1])
	}
	for _, m := range digitsRe.FindAllStringIndex(text, -1) {
		n := countDigits(text[m[0]:m[1]])
		switch {
		case n >= 9 || (n >= 7 && strings.ContainsAny(text[m[0]:m[1]], " -.()+")):
			add(KindPhone, m[0], m[1])
		case n >= 6:
			add(KindRecord, m[0], m[1])
		}
	}
	for _, m := range titleNameRe.FindAllStringSubmatchIndex(text, -1) {
		add(KindName, m[2], m[3])
	}
	for _, m := range namedRe.FindAllStringSubmatchIndex(text, -1) {
		add(KindName, m[2], m[3])
	}
	fs = merge(fs, text)
	var b strings.Builder
	last := 0
	for _, f := range fs {
		b.WriteString(text[last:f.Start])
		b.WriteString(Removed)
		last = f.End
	}
	b.WriteString(text[last:])
	return fs, b.String()
}

// merge sorts findings and joins overlapping ones; a date inside a digit
// run stays a date, and the earlier finding's kind wins otherwise.
func merge(fs []Finding, text string) []Finding {
	if len(fs) == 0 {
		return nil
	}
	rank := map[string]int{KindEmail: 0, KindDate: 1, KindName: 2, KindRecord: 3, KindPhone: 4}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return rank[fs[i].Kind] < rank[fs[j].Kind]
	})
	out := []Finding{fs[0]}
	for _, f := range fs[1:] {
		cur := &out[len(out)-1]
		if f.Start < cur.End {
			if f.End > cur.End {
				cur.End = f.End
			}
			if rank[f.Kind] < rank[cur.Kind] {
				cur.Kind = f.Kind
			}
			continue
		}
		out = append(out, f)
	}
	// Trim trailing punctuation a pattern took in ("0722 123 456)").
	for i := range out {
		for out[i].End > out[i].Start && strings.ContainsRune(" .,;:)", rune(text[out[i].End-1])) {
			out[i].End--
		}
	}
	return out
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// Summary lists the kinds found, for the author: "a phone number and a
// name".
func Summary(fs []Finding) []string {
	seen := map[string]bool{}
	var kinds []string
	for _, f := range fs {
		if !seen[f.Kind] {
			seen[f.Kind] = true
			kinds = append(kinds, f.Kind)
		}
	}
	return kinds
}
