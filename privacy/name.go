package privacy

import (
	_ "embed"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/huddlebot/huddle/bot"
)

//go:embed blocked_names.txt
var blockedNamesFile string

// blockedNames are the words a chosen name may not contain.
var blockedNames = func() []string {
	var out []string
	for _, line := range strings.Split(blockedNamesFile, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, foldName(line))
		}
	}
	return out
}()

// Why a chosen name is refused; each is a key of the router's texts.
var (
	errNameLength = errors.New("name_length")
	errNameChars  = errors.New("name_chars")
	errNamePhone  = errors.New("name_phone")
	errNameGiven  = errors.New("name_given")
	errNameWord   = errors.New("name_word")
)

// checkName checks a name a member chose for themselves: 2 to 32
// letters, digits, spaces and - _ . ', no phone number, not the form of
// a given pseudonym, no blocked word. It returns the name tidied.
func checkName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if n := utf8.RuneCountInString(name); n < 2 || n > 32 {
		return name, errNameLength
	}
	digits := 0
	for _, r := range name {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r), unicode.Is(unicode.Mn, r), strings.ContainsRune(" -_.'", r):
		default:
			return name, errNameChars
		}
	}
	if digits >= 7 {
		return name, errNamePhone
	}
	if given(bot.NameKey(name)) {
		return name, errNameGiven
	}
	folded := foldName(name)
	for _, w := range blockedNames {
		if len(w) <= 4 {
			// Short words only as a whole word, so "Dickson" and
			// "Scunthorpe" stay allowed but "PD" does not.
			for _, f := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
				if foldName(f) == w {
					return name, errNameWord
				}
			}
			continue
		}
		if strings.Contains(folded, w) {
			return name, errNameWord
		}
	}
	return name, nil
}

// given reports whether a name key has the form of the pseudonyms Huddle
// gives ("Member-4821", "member 4821", "Membér_4821").
func given(key string) bool {
	rest, ok := strings.CutPrefix(key, bot.NameKey(bot.PseudonymPrefix))
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// foldName lowers s, turns look-alike digits and signs into the letters
// they stand for, strips accents from common Latin letters and drops the
// rest, so "F4gg0t" and "fag got" compare as "faggot".
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '0':
			r = 'o'
		case '1', '!', '|':
			r = 'i'
		case '3':
			r = 'e'
		case '4', '@':
			r = 'a'
		case '5', '$':
			r = 's'
		case '7':
			r = 't'
		case 'à', 'â', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï':
			r = 'i'
		case 'ô', 'ö':
			r = 'o'
		case 'ù', 'û', 'ü':
			r = 'u'
		case 'ç':
			r = 'c'
		}
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// setName handles /name: without a name it says how the member appears;
// with one it checks it and makes it their pseudonym.
func (g *rights) setName(tx Tx, s bot.Session, args []string) error {
	if len(args) == 0 {
		return bot.Reply(tx, s, "name", g.tr(s.Lang, "name_is", s.Member.Pseudonym))
	}
	name, err := checkName(strings.Join(args, " "))
	if err != nil {
		return bot.Reply(tx, s, "name", g.tr(s.Lang, err.Error()))
	}
	if err := tx.SetPseudonym(s.Member.ID, name); errors.Is(err, bot.ErrDuplicate) {
		return bot.Reply(tx, s, "name", g.tr(s.Lang, "name_taken", bot.Clip(name, 32)))
	} else if err != nil {
		return err
	}
	g.log.Info("member chose a name", "member", s.Member.ID)
	return bot.Reply(tx, s, "name", g.tr(s.Lang, "name_set", name))
}
