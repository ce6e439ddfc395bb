package terms

import "strings"

// stopWords are, per language, the words that say nothing of what a case
// is about: the language's function words, and the words every case
// shared in a group says (patient, years, today, what should we do).
// Written without diacritics: a word is looked up as written and folded.
var stopWords = func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for lang, words := range stopLists {
		out[lang] = map[string]bool{}
		for _, w := range strings.Fields(words) {
			out[lang][w] = true
		}
	}
	return out
}()

// stopLists are stopWords as written.
var stopLists = map[string]string{
	"en": `a about after again all also am an and any are as at be because been before being both but by can could did do does doing done down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours
		patient patients case cases year years old today yesterday came come comes ward clinic nurse nurses please advice advise help know think get got one two also us told tell still like need needs want`,
	"fr": `a au aux avec ce ces dans de des du elle elles en est et eux il ils je la le les leur lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y ete etait etaient sont suis es sommes etes avait avaient avons avez ont ai as cette cet tres plus aussi comme si tout tous toute toutes
		patient patiente patients cas an ans aujourd hui hier venue venu service infirmiere infirmier conseil aide faire fait quoi doit dois devons`,
	"pt": `a ao aos as com como da das de do dos e ela elas ele eles em entre era eram essa esse esta este eu foi foram ha isso isto ja lhe mais mas me mesmo meu minha muito na nas nao nem no nos o os ou para pela pelo por qual quando que quem se sem ser seu sua so tambem te tem ter um uma voce
		paciente pacientes caso casos ano anos hoje ontem veio chegou enfermaria clinica enfermeira enfermeiro conselho ajuda fazer devemos deve`,
	"es": `a al algo como con de del donde el ella ellas ellos en entre era es esa ese esta este esto fue ha hay la las le les lo los mas me mi mucho muy ni no nos o os para pero por que quien se sin sobre su sus tambien te tiene tienen un una uno y ya
		paciente pacientes caso casos ano anos hoy ayer vino llego sala clinica enfermera enfermero consejo ayuda hacer debemos debe`,
	"sw": `na ya wa kwa la za cha vya katika ni si kama lakini au pia huyu hii hiyo yule ile hao wao yeye mimi sisi ninyi wewe alikuwa amekuwa ana ame baada kabla sana tu hata bado
		mgonjwa wagonjwa kesi mwaka miaka leo jana alikuja kliniki wodi muuguzi ushauri msaada tufanye nini`,
}
