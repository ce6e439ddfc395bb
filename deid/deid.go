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
	// Swahili: kitambulisho (ID card), faili (file), usajili
	// (registration); Portuguese: BI (identity card), NUIT (tax number),
	// processo (file), utente, cartão; Spanish: DNI, cédula, expediente,
	// historia clínica, carné. A number after a cue may hold spaces ("CNI
	// 1 045 2198 03412"), and is a record number whatever it looks like
	// (a phone number, a date).
	recordCueRe = regexp.MustCompile(`(?i)\b(?:mrn|ip|op|opd|ipd|file|folder|record|reg(?:istration)?|hospital|national|nat|id|nin|passport|chart|dossier|fiche|matricule|cni|carte|kitambulisho|faili|usajili|bi|nuit|processo|utente|cart[ãa]o|dni|c[ée]dula|expediente|historia cl[íi]nica|hc|carn[ée]t?|ficha)\b\.?\s*(?:no\.?|n°|nº|n\.º|number|num\.?|número|numero|namba|nambari|#|id|de identidad|ya)?\s*[:#]?\s*([A-Za-z]{0,4}[\-/]?\d(?:[\dA-Za-z/\-]|\s\d)+)`)
	// Code-like numbers: "KNH/2023/11823", "AB-123456".
	codeRe = regexp.MustCompile(`\b[A-Za-z]{1,6}[/\-]\d{2,}(?:[/\-]\d+)+\b|\b[A-Za-z]{1,3}-?\d{5,}\b`)
	// Digit runs, with the separators people write in phone numbers.
	digitsRe = regexp.MustCompile(`\+?\d[\d \-.()]*\d`)
	// Months in English, French, Swahili, Portuguese and Spanish (the
	// last two write "12 de março de 2024").
	months = `jan(?:uary|vier)?|feb(?:ruary)?|févr(?:ier)?|fevr(?:ier)?|mar(?:ch|s)?|apr(?:il)?|avr(?:il)?|may|mai|june?|juin|july?|juil(?:let)?|aug(?:ust)?|août|aout|sep(?:t(?:ember|embre)?)?|oct(?:ober|obre)?|nov(?:ember|embre)?|dec(?:ember)?|déc(?:embre)?` +
		`|januari|februari|machi|aprili|mei|juni|julai|agosti|septemba|oktoba|novemba|desemba` +
		`|janeiro|fevereiro|março|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro` +
		`|enero|febrero|marzo|mayo|junio|julio|septiembre|setiembre|octubre|noviembre|diciembre`
	dateRes = []*regexp.Regexp{
		regexp.MustCompile(`\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b`),
		regexp.MustCompile(`\b\d{4}-\d{1,2}-\d{1,2}\b`),
		regexp.MustCompile(`(?i)\b\d{1,2}(?:st|nd|rd|th|er|º)?\s+(?:de\s+)?(?:` + months + `)\b\.?,?\s+(?:de\s+|del\s+)?\d{4}\b`),
		regexp.MustCompile(`(?i)\b(?:` + months + `)\b\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b`),
	}
	// Names after a title, an honorific or kinship word used as one, or
	// "patient": capitalised words. French: M., Mme, Mlle and the Central
	// African Maman, Papa, Tantine, Tonton, Tata; Swahili: Bi. and Bw.
	// (Mrs, Mr), Mzee, mgonjwa (patient), mtoto wa (child of); Sheng:
	// Mathe, Buda, Shosh, Guka (mother, father, grandmother,
	// grandfather); Portuguese: Sra., Sr., Dona, Senhora, Tia;
	// Spanish: Sra., Sr., Srta., Doña, Don, Señora, Tía.
	titleNameRe = regexp.MustCompile(`(?i:\b(?:mrs|mr|ms|miss|m\.|mme|mlle|madame|monsieur|maman|papa|tantine|tonton|tata|mama|baba|mzee|mathe|buda|shosh|guka|sra|sr|srta|dona|doña|don|senhora|senhor|señora|señor|señorita|tia|tía|tio|tío|patient|patiente|paciente|baby of|bébé de|bebé de|bebê de|nourrisson de|bi|bw|bwana|bibi|mgonjwa|mtoto wa)\.?)\s+(\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){0,2})`)
	// Names after "named", "called", "name is": the next word or two,
	// whatever their case. Swahili: anaitwa, jina lake ni; Portuguese:
	// chama-se, de nome; Spanish: se llama, de nombre.
	namedRe = regexp.MustCompile(`(?i:\b(?:named|called|name is|name was|nommée?|appelée?|s'appelle|du nom de|anaitwa|aliitwa|jina lake ni|chama-se|se chama|chamad[ao]|de nome|se llama|llamad[ao]|de nombre))\s+([\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+)?)`)
	// Names after a relation: a child or relative named after the word
	// for them ("the child Kevin", "her father Omondi", "son mari
	// Ibrahim", "mume wake Juma", "a criança Tomás", "su esposo Alberto",
	// "the mother, Brenda,").
	kinNameRe = regexp.MustCompile(`(?i:\b(?:the (?:child|baby|boy|girl|mother|father|husband|wife)|(?:her|his) (?:husband|wife|father|mother|son|daughter|sister|brother|aunt|uncle|child|baby)|(?:son|sa) (?:mari|époux|épouse|père|mère|fils|fille|frère|sœur|soeur|tante|oncle|enfant|bébé)|l'enfant|le petit|la petite|le bébé|le papa|la maman|mtoto|mume wake|mke wake|baba yake|mama yake|dada yake|kaka yake|shangazi yake|mjomba wake|bibi yake|babu yake|a criança|o menino|a menina|o bebé|o bebê|o marido|a esposa|o pai|a mãe|a tia|o tio|a filha|o filho|a irmã|o irmão|el niño|la niña|el bebé|su (?:esposo|esposa|marido|papá|mamá|padre|madre|hija|hijo|hermana|hermano|tía|tío)|la madre|el padre|la tía|el tío))\s*,?\s+(` + nameWord + `(?:\s+` + nameWord + `)?)`)

	// Names without a cue. A name-shaped word is a capital and then lower
	// case (so PPH, HIV and G3P2 are not).
	//
	// At the start of the case or of a sentence, followed by an age:
	// "Halima Musa, 31, presented…", "Joyce (24)…", "Aïssatou Ba, 31 ans",
	// "Halima Musa, miaka 31", "Grace, aged 42".
	leadNameRe = regexp.MustCompile(`(?:^|[.!?:;]\s+|\n\s*)(` + nameWord + `(?:\s+` + nameWord + `){0,2})(?:\s*[,(]\s*|\s+)(?:(?i:aged|age|âgée? de|miaka|umri wa miaka|mwenye miaka|com|con)\s+)?\d{1,3}(?:\s*(?i:years?|yrs?|y/?o|ans|anos|años|miaka))?\s*(?:\)|,(?:\s|$))`)
	// As the object of what a health worker does to a patient: "we
	// received Joyce this morning", "referred Achieng to…", "nous avons
	// reçu Fatou", "tulimpokea Neema".
	verbNameRe = regexp.MustCompile(`(?i:\b(?:received|admitted|saw|seen|referred|delivered|examined|reviewed|visited|treated|counselled|counseled|tested|discharged|brought in|attended to|reçu|reçue|admis|admise|vu|vue|examiné|examinée|référé|référée|accueilli|accueillie|hospitalisé|hospitalisée|transféré|transférée|accouché|tulimpokea|tumempokea|nilimpokea|nimempokea|tulimwona|nilimwona|tumemwona|tulimlaza|tumemlaza|nilimlaza|tulimpima|nilimpima|tulimzalisha|nilimzalisha|tulimpeleka|nilimpeleka|recebemos|recebi|intern[áa]mos|internei|atendemos|atendi|observei|observ[áa]mos|referimos|transferimos|examinei|recibimos|recibí|ingresamos|ingresé|atendimos|atendí|revisé|revisamos|trasladamos|examiné|vimos)(?:\s+(?:a|o|al|la|el))?)\s+(` + nameWord + `(?:\s+` + nameWord + `)?)`)
	// Swahili puts the subject first: "Juma alikuja…", "Neema amefika…",
	// and so does Sheng: "Wanjiru ako na uchungu", "Otieno alikam".
	swahiliSubjectRe = regexp.MustCompile(`(?:^|[.!?:;,]\s+)(` + nameWord + `(?:\s+` + nameWord + `)?)\s+(?:(?:ali|ame|ana|ata|aka|haja)\p{Ll}{2,}|hakuwa|hajawahi|hana|ako|yuko|yupo|hako|hayuko|hayupo)\b`)

	// Home addresses: a house, plot or block number, or a street with a
	// number: "Plot 221", "house no. 45", "maison n° 12", "parcelle 34",
	// "nyumba namba 45", "12 Moi Road", "rue 10".
	// A door number beside one is part of the address: "parcelle 34,
	// porte 2", "calle 10, puerta 2", "kiwanja 12, mlango 4".
	addressRe = regexp.MustCompile(`(?i)\b(?:(?:block|blk|plot|house|hse|flat|apartment|apt|maison|parcelle|lot|lote|villa|immeuble|nyumba|kitalu|kiwanja|quarteirão|quarteirao|quadra|manzana)\b\.?\s*(?:no\.?|n°|nº|n\.º|number|num\.?|número|namba|nambari|#)?|casa\s+(?:n\.?º|nº|n°|no\.?|número|num\.?|#))\s*[:#]?\s*[a-z]?\d{1,5}[a-z]?(?:\s*/\s*\d+)?\b` + doorTail)
	streetRe  = regexp.MustCompile(`\b\d{1,5}\s+` + nameWord + `(?:\s+` + nameWord + `)?\s+(?i:road|rd|street|st|avenue|ave|lane|close|drive|crescent)\b|(?i:\b(?:rue|avenue|boulevard|mtaa|barabara|calle|avenida|rua|travessa)\s+)(?:` + nameWord + `\s+)?\d{1,4}\b` + doorTail)
	// Addresses with no number: the nth house from a landmark ("the
	// third house after the well", "la troisième maison après le puits",
	// "nyumba ya tatu baada ya kisima", "a terceira casa depois do poço",
	// "la tercera casa después del pozo").
	nthHouseRe = regexp.MustCompile(`(?i)\b(?:(?:first|second|third|fourth|fifth|last|première|deuxième|troisième|quatrième|cinquième|dernière|primeira|segunda|terceira|quarta|quinta|última|primera|tercera|cuarta)\s+(?:house|hut|home|door|gate|compound|maison|case|porte|concession|casa|puerta|porta|portão)|nyumba\s+ya\s+(?:kwanza|pili|tatu|nne|tano|mwisho))\s+(?:after|before|behind|past|beyond|from|near|next\s+to|après|avant|derrière|près\s+de|depois\s+d[aeo]s?|antes\s+d[aeo]s?|atrás\s+d[aeo]s?|perto\s+d[aeo]s?|después\s+del?|antes\s+del?|detrás\s+del?|cerca\s+del?|baada\s+ya|kabla\s+ya|nyuma\s+ya|karibu\s+na)\s+(?:(?:the|le|la|les|el|los|las)\s+|l')?[\p{L}'\-]+`)
	// A family's compound or home by its name: "the Otieno compound",
	// "concession Traoré", "boma la Mzee Kiprono", "quintal da família
	// Macuácua", "casa de la familia Huanca", "chez Maman Fatou".
	compoundRe = regexp.MustCompile(`(?i:\b(?:compound|concession|boma|homestead|quintal|chez(?:\s+les)?|casa\s+de\s+la\s+familia|casa\s+da\s+família))(?:\s+(?i:of\s+the|of|de\s+la|de|la|da|do|ya|wa|famille|família|familia|family|mzee|chief))*\s+` + nameWord + `(?:\s+` + nameWord + `)?|` + nameWord + `\s+(?i:family\s+compound|compound|homestead)\b`)
	// A neighbourhood and a landmark after "lives in": "lives in Kibera,
	// near the chief's camp", "habite à Yopougon, près de la pharmacie",
	// "anaishi Kawangware karibu na kituo cha mafuta", "mora em
	// Chamanculo, perto do mercado", "vive en Villa Adela, cerca de la
	// iglesia". Group 1 is the address.
	livesRe = regexp.MustCompile(`(?i:\b(?:lives|living|live|stays|staying|stay|resides|habite|habitent|vit|vivent|réside|anaishi|wanaishi|anakaa|wanakaa|mora|moram|vive|viven|reside|residen)\b)\s+(?:(?i:in|at|à|au|en|em|no|na|kwa)\s+)?(` + nameWord + `(?:[\s\-]+` + nameWord + `)*,?\s+(?i:near|behind|next\s+to|opposite|close\s+to|près\s+de|derrière|à\s+côté\s+de|en\s+face\s+de|karibu\s+na|nyuma\s+ya|mkabala\s+na|jirani\s+na|perto\s+d[aeo]s?|atrás\s+d[aeo]s?|junto\s+a|ao\s+lado\s+d[aeo]s?|em\s+frente\s+a|cerca\s+del?|detrás\s+del?|frente\s+al?|al\s+lado\s+del?)\s+[^.;,\n]*[^.;,\n\s])`)
	// Thousands written with a space or a dot, as French, Portuguese and
	// Spanish write them ("250 000" platelets, "12.000" copies): a
	// quantity, not a phone number, when short enough to be one.
	thousandsRe = regexp.MustCompile(`^[1-9]\d{0,2}(?:[ .]\d{3})+$`)
)

// doorTail is a door number that may follow a plot or street number.
const doorTail = `(?:\s*,?\s*(?i:door|porte|mlango|porta|puerta|appartement|apto?)\.?\s*(?:n°|nº|no\.?|namba|#)?\s*\d{1,4}\b)?`

// nameWord is a word shaped like a name.
const nameWord = `\p{Lu}\p{Ll}[\p{Ll}'\-]*`

// notNames are capitalised words that start case texts and sentences
// without naming anyone (people, clinical words, vaccines, days and
// months), in English, French, Swahili, Portuguese and Spanish. A name
// found without a cue is a name only when a word of it is none of these.
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
		jumatatu jumanne jumatano alhamisi ijumaa jumamosi jumapili mathe buda shosh guka
		januari februari machi aprili mei juni julai agosti septemba oktoba novemba desemba
		mulher mulheres homem homens mãe pai criança crianças bebé bebê recém-nascido filho filha menino
		menina grávida gestante primigesta doente senhora senhor idosa idoso adolescente ela ele eles
		elas nós a o os as uma um este esta esse essa hoje ontem manhã tarde noite depois antes desde
		enfermaria cama hospital centro parteira enfermeira enfermeiro médico médica
		segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo
		janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro
		mujer mujeres hombre hombres madre padre niño niña niños niñas recién hijo hija embarazada anciana
		anciano señora señor ella él ellos ellas nosotros el los las una este esta ese esa hoy ayer
		mañana noche después antes desde sala cama centro partera obstetra enfermera enfermero médico
		lunes martes miércoles jueves viernes
		enero febrero marzo mayo junio julio septiembre setiembre octubre noviembre diciembre
		penta pentavalent pentavalente polio pólio rota rotavirus measles rougeole surua sarampo
		sarampión neumococo pneumocoque pneumococcal hepatitis hépatite hepatite vitamin vitamine
		vitamina dose doses dosis dozi chanjo vaccin vaccins vacina vacinas vacuna vacunas vaccine
		vaccines tetanus tétanos tétano`) {
		m[w] = true
	}
	return m
}()

// monthNames are the months of notNames, which are names too ("Julio",
// "Mei"): after a relation's word ("su papá Julio") they name someone.
var monthNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(months, "|") {
		if !strings.ContainsAny(w, "(?:)") {
			m[w] = true
		}
	}
	return m
}()

// uncommon narrows text[start:end], a run of name-shaped words, to the
// words from the first to the last that is not a common word (notNames):
// "Mama Otieno" to "Otieno". ok is false when every word is common.
func uncommon(text string, start, end int) (int, int, bool) {
	return uncommonBut(text, start, end, nil)
}

// uncommonBut is uncommon, with the words in keep counted as names.
func uncommonBut(text string, start, end int, keep map[string]bool) (int, int, bool) {
	first, last := -1, -1
	for i := start; i < end; {
		j := i
		for j < end && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' {
			j++
		}
		if w := strings.ToLower(strings.TrimRight(text[i:j], "'-")); j > i && (!notNames[w] || keep[w]) {
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
// and ID numbers, full dates, email addresses, home addresses (with a
// number or without: the nth house from a landmark, a family's compound,
// a neighbourhood and a landmark), and names: after cues such as "Mrs",
// an honorific, "patient", "named" or a relation ("the child"), and
// without one at the start of a sentence before an age, as the object of
// "received", "admitted", "referred" and the like, and as a Swahili or
// Sheng subject, in English, French, Swahili, Portuguese and Spanish. It
// returns the findings in order, with
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
	// A number after a record cue is a record number, even one that looks
	// like a date ("dossier 14/03/21") or a phone number.
	var cued [][2]int
	for _, m := range recordCueRe.FindAllStringSubmatchIndex(text, -1) {
		add(KindRecord, m[2], m[3])
		cued = append(cued, [2]int{m[2], m[3]})
	}
	inCue := func(start, end int) bool {
		for _, c := range cued {
			if c[0] <= start && end <= c[1] {
				return true
			}
		}
		return false
	}
	for _, re := range dateRes {
		for _, m := range re.FindAllStringIndex(text, -1) {
			if !inCue(m[0], m[1]) {
				add(KindDate, m[0], m[1])
			}
		}
	}
	for _, m := range codeRe.FindAllStringIndex(text, -1) {
		add(KindRecord, m[0], m[1])
	}
	for _, m := range digitsRe.FindAllStringIndex(text, -1) {
		n := countDigits(text[m[0]:m[1]])
		if n <= 7 && thousandsRe.MatchString(text[m[0]:m[1]]) {
			continue // "250 000" platelets: a quantity
		}
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
	for _, re := range []*regexp.Regexp{leadNameRe, verbNameRe, swahiliSubjectRe, kinNameRe} {
		var keep map[string]bool
		if re == kinNameRe {
			keep = monthNames
		}
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			if s, e, ok := uncommonBut(text, m[2], m[3], keep); ok {
				add(KindName, s, e)
			}
		}
	}
	for _, re := range []*regexp.Regexp{addressRe, streetRe, nthHouseRe, compoundRe} {
		for _, m := range re.FindAllStringIndex(text, -1) {
			add(KindAddress, m[0], m[1])
		}
	}
	for _, m := range livesRe.FindAllStringSubmatchIndex(text, -1) {
		add(KindAddress, m[2], m[3])
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
			// A finding inside another is part of it ("Kiprono" in "boma
			// la Mzee Kiprono"): the container names the whole. Else
			// the lower rank wins (a date over the digit run it is).
			inside := f.End <= cur.End && (f.Start > cur.Start || f.End < cur.End)
			if f.End > cur.End {
				cur.End = f.End
			}
			if !inside && rank[f.Kind] < rank[cur.Kind] {
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
