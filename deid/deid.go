// Package deid finds what could identify a patient in a text (phone,
// record and ID numbers, full dates, email and home addresses, names) and
// removes it: case discussions scan every case, reply and answer with it
// before anything is posted or stored. It errs on the side of flagging;
// the author confirms or edits.
package deid

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Kinds of identifier Scan finds.
const (
	KindPhone   = "phone number"
	KindRecord  = "record or ID number"
	KindDate    = "full date (such as a date of birth)"
	KindEmail   = "email address"
	KindName    = "name"
	KindAddress = "home address"
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
	// Names after a title or "patient": capitalised words. Swahili: Bi.
	// and Bw. (Mrs, Mr), mgonjwa (patient), mtoto wa (child of).
	titleNameRe = regexp.MustCompile(`(?i:\b(?:mrs|mr|ms|miss|mme|mlle|madame|monsieur|mama|baba|patient|patiente|baby of|bébé de|bi|bw|bwana|bibi|mgonjwa|mtoto wa)\.?)\s+(\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){0,2})`)
	// Names after "named", "called", "name is": the next word or two,
	// whatever their case. Swahili: anaitwa, jina lake ni.
	namedRe = regexp.MustCompile(`(?i:\b(?:named|called|name is|name was|nommée?|appelée?|s'appelle|du nom de|anaitwa|aliitwa|jina lake ni))\s+([\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+)?)`)

	// Names without a cue. A name-shaped word is a capital and then lower
	// case (so PPH, HIV and G3P2 are not).
	//
	// At the start of the case or of a sentence, followed by an age:
	// "Halima Musa, 31, presented…", "Joyce (24)…", "Aïssatou Ba, 31 ans",
	// "Halima Musa, miaka 31", "Grace, aged 42".
	leadNameRe = regexp.MustCompile(`(?:^|[.!?:;]\s+|\n\s*)(` + nameWord + `(?:\s+` + nameWord + `){0,2})(?:\s*[,(]\s*|\s+)(?:(?i:aged|age|âgée? de|miaka|umri wa miaka|mwenye miaka)\s+)?\d{1,3}(?:\s*(?i:years?|yrs?|y/?o|ans|miaka))?\s*[,)]`)
	// As the object of what a health worker does to a patient: "we
	// received Joyce this morning", "referred Achieng to…", "nous avons
	// reçu Fatou", "tulimpokea Neema".
	verbNameRe = regexp.MustCompile(`(?i:\b(?:received|admitted|saw|seen|referred|delivered|examined|reviewed|visited|treated|counselled|counseled|tested|discharged|brought in|attended to|reçu|reçue|admis|admise|vu|vue|examiné|examinée|référé|référée|accueilli|accueillie|hospitalisé|hospitalisée|transféré|transférée|accouché|tulimpokea|tumempokea|nilimpokea|nimempokea|tulimwona|nilimwona|tumemwona|tulimlaza|tumemlaza|nilimlaza|tulimpima|nilimpima|tulimzalisha|nilimzalisha|tulimpeleka|nilimpeleka))\s+(` + nameWord + `(?:\s+` + nameWord + `)?)`)
	// Swahili puts the subject first: "Juma alikuja…", "Neema amefika…".
	swahiliSubjectRe = regexp.MustCompile(`(?:^|[.!?:;,]\s+)(` + nameWord + `(?:\s+` + nameWord + `)?)\s+(?:ali|ame|ana|ata|hakuwa|hajawahi)\p{Ll}{2,}`)

	// Home addresses: a house, plot or block number, or a street with a
	// number: "Plot 221", "house no. 45", "maison n° 12", "parcelle 34",
	// "nyumba namba 45", "12 Moi Road", "rue 10".
	addressRe = regexp.MustCompile(`(?i)\b(?:block|blk|plot|house|hse|flat|apartment|apt|maison|parcelle|villa|immeuble|nyumba|kitalu|kiwanja)\b\.?\s*(?:no\.?|n°|nº|number|num\.?|namba|nambari|#)?\s*[:#]?\s*[a-z]?\d{1,5}[a-z]?(?:\s*/\s*\d+)?\b`)
	streetRe  = regexp.MustCompile(`\b\d{1,5}\s+` + nameWord + `(?:\s+` + nameWord + `)?\s+(?i:road|rd|street|st|avenue|ave|lane|close|drive|crescent)\b|(?i:\b(?:rue|avenue|boulevard|mtaa|barabara)\s+)(?:` + nameWord + `\s+)?\d{1,4}\b`)
)

// nameWord is a word shaped like a name.
const nameWord = `\p{Lu}\p{Ll}[\p{Ll}'\-]*`

// notNames are capitalised words that start case texts and sentences
// without naming anyone (people, clinical words, days and months), in
// English, French and Swahili. A name found without a cue is a name only
// when a word of it is none of these.
var notNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		woman women man men mother mum father child children baby babies boy girl newborn neonate infant
		toddler teenager adolescent patient client lady gentleman elderly old young primigravida primip
		primipara multip multipara grand twins twin pregnant wife husband widow sister brother she he they
		we i you it the a an our my your their this that these those her his its there here today
		yesterday tonight morning evening night last next following after before since during history
		known referred post pre day week month year ward bed room clinic hospital dispensary theatre
		labour delivery please thanks thank hello hi dear doctor dr nurse midwife chw mentor case
		female male adult gravida para mr mrs ms miss
		monday tuesday wednesday thursday friday saturday sunday january february march april may june
		july august september october november december
		femme femmes homme hommes mère père enfant enfants bébé nouveau-né nourrisson fille garçon
		patiente adolescente jeune vieille vieux dame monsieur madame primipare multipare jumeaux elle
		il ils elles nous on la le les une un des notre nos cette ce ces son sa ses aujourd'hui hier
		matin soir nuit après avant depuis salle lit sage-femme infirmière infirmier médecin docteur
		lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet
		août septembre octobre novembre décembre
		mama baba mtoto watoto mwanamke wanawake mwanaume wanaume mjamzito mgonjwa wagonjwa msichana
		mvulana kijana mzee bibi babu mteja huyu yule leo jana asubuhi jioni usiku wiki mwezi mwaka
		wodi kitanda kliniki hospitali zahanati daktari muuguzi mkunga tafadhali habari
		jumatatu jumanne jumatano alhamisi ijumaa jumamosi jumapili`) {
		m[w] = true
	}
	return m
}()

// uncommon narrows text[start:end], a run of name-shaped words, to the
// words from the first to the last that is not a common word (notNames):
// "Mama Otieno" to "Otieno". ok is false when every word is common.
func uncommon(text string, start, end int) (int, int, bool) {
	first, last := -1, -1
	for i := start; i < end; {
		j := i
		for j < end && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' {
			j++
		}
		if j > i && !notNames[strings.ToLower(strings.TrimRight(text[i:j], "'-"))] {
			if first < 0 {
				first = i
			}
			last = j
		}
		i = j + 1
	}
	return first, last, first >= 0
}

// Scan finds what in text could identify a patient: phone numbers, record
// and ID numbers, full dates, email addresses, home addresses, and names:
// after cues such as "Mrs", "patient" or "named", and without one at the
// start of a sentence before an age, as the object of "received",
// "admitted", "referred" and the like, and as a Swahili subject, in
// English, French and Swahili. It returns the findings in order, with
// overlapping ones merged, and the text with each replaced by [removed].
// It errs on the side of flagging: the author confirms or edits.
func Scan(text string) ([]Finding, string) {
	fs := find(text)
	return fs, Redact(text, fs, Removed)
}

// find is Scan's search: the findings in text, merged, in order.
func find(text string) []Finding {
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
	for _, re := range []*regexp.Regexp{leadNameRe, verbNameRe, swahiliSubjectRe} {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			if s, e, ok := uncommon(text, m[2], m[3]); ok {
				add(KindName, s, e)
			}
		}
	}
	for _, re := range []*regexp.Regexp{addressRe, streetRe} {
		for _, m := range re.FindAllStringIndex(text, -1) {
			add(KindAddress, m[0], m[1])
		}
	}
	return merge(fs, text)
}

// Redact returns text with each of the findings Scan made in it replaced
// by mark.
func Redact(text string, fs []Finding, mark string) string {
	var b strings.Builder
	last := 0
	for _, f := range fs {
		b.WriteString(text[last:f.Start])
		b.WriteString(mark)
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// merge sorts findings and joins overlapping ones; a date inside a digit
// run stays a date, and the earlier finding's kind wins otherwise.
func merge(fs []Finding, text string) []Finding {
	if len(fs) == 0 {
		return nil
	}
	rank := map[string]int{KindEmail: 0, KindDate: 1, KindName: 2, KindAddress: 3, KindRecord: 4, KindPhone: 5}
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
