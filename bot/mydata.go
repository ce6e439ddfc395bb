package bot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// myData answers /mydata, privately: a readable account of everything
// Huddle holds about the member.
func (r *Router) myData(tx Tx, s Session) error {
	if s.Chat.Type != Direct {
		return r.reply(tx, s, "mydata", tr(s.Lang, "mydata_private"))
	}
	d, err := tx.MemberData(s.Member.ID)
	if err != nil {
		return err
	}
	m := d.Member
	var b strings.Builder
	b.WriteString(tr(s.Lang, "mydata_head"))
	line := func(key string, args ...any) { b.WriteString("\n• " + tr(s.Lang, key, args...)) }
	line("mydata_profile", m.Name, m.Channel, m.PlatformID, m.Pseudonym)
	lang := m.Lang
	if lang == "" {
		lang = "-"
	}
	line("mydata_since", r.when(m.Created), lang)
	switch {
	case r.consent == nil:
		line("mydata_consent_off")
	case d.Consent.Status == ConsentAccepted:
		line("mydata_consent", d.Consent.Version, r.when(d.Consent.AnsweredAt))
	default:
		line("mydata_consent_not", tr(s.Lang, "consent_status_"+string(d.Consent.Status)))
	}
	if len(d.Groups) > 0 {
		line("mydata_groups", strings.Join(d.Groups, ", "))
	}
	line("mydata_lessons", len(d.Lessons), d.Answers)
	line("mydata_cases", d.CasesShared, d.CasePosts)
	if len(d.Activity) > 0 {
		var parts []string
		for _, kind := range slices.Sorted(maps.Keys(d.Activity)) {
			parts = append(parts, fmt.Sprintf("%s %d", kind, d.Activity[kind]))
		}
		line("mydata_activity", strings.Join(parts, ", "))
	}
	b.WriteString("\n\n" + tr(s.Lang, "mydata_rights"))
	return r.reply(tx, s, "mydata", b.String())
}
