package bot

import (
	"fmt"
	"strings"
)

// catalog holds the router's own texts by language; English is the fallback.
var catalog = map[string]map[string]string{
	"en": {
		"mydata_private":          "Send /mydata to me in a private chat: I answer there only.",
		"mydata_head":             "What Huddle holds about you:",
		"mydata_profile":          "Profile: %s (%s id %s); others see you as %s",
		"mydata_since":            "First seen %s; language %s",
		"mydata_consent":          "Privacy notice: accepted, version %d, on %s",
		"mydata_consent_not":      "Privacy notice: %s",
		"mydata_consent_off":      "Privacy notice: your program gathered consent outside Huddle",
		"mydata_groups":           "Groups: %s",
		"mydata_lessons":          "Lesson runs you took part in: %d; your answers kept: %d (see /progress)",
		"mydata_mentor":           "Mentor for: %s; cases assigned to you: %d",
		"mydata_file":             "All of it in full, as a file (JSON) you can keep or take to another service.",
		"mydata_cases":            "Cases you shared: %d; your posts in case threads: %d (de-identified)",
		"mydata_activity":         "Activity log (kinds of action, not their text): %s",
		"mydata_rights":           "/name changes the name others see, /privacy withdraws your consent, /forget erases all of this.",
		"name_is":                 "Others see you as %s. Send /name NEW to choose another name.",
		"name_set":                "Done: others now see you as %s.",
		"name_taken":              "Someone already uses %q; choose another.",
		"name_length":             "A name has 2 to 32 letters. Send /name NEW.",
		"name_chars":              "A name may hold letters, digits, spaces and - _ . ' only.",
		"name_phone":              "That looks like a phone number: choose a name that does not identify you that way.",
		"name_given":              "Names of the form Member-1234 are the ones Huddle gives; choose another.",
		"name_word":               "That name is not allowed here; choose another.",
		"consent_notice":          "🔒 Before Huddle records anything about you: it keeps your name, the groups you are in, your quiz answers and scores, and how active you are, so that your group and the program staff can follow learning. Cases you share are stripped of patient details first. Others see you under a pseudonym unless you choose a name (/name). /mydata shows what is held, /forget erases it, and nothing is kept longer than the program's limit. Do you accept?",
		"consent_yes":             "I accept",
		"consent_no":              "No thanks",
		"consent_thanks":          "Thank you: your answers and activity count from now on.",
		"consent_thanks_group":    "Thank you: your answers count from now on. Send your answer again if it was not counted.",
		"consent_declined":        "Understood: Huddle records nothing about you. You can still read the group. Send /privacy if you change your mind.",
		"consent_declined_known":  "What Huddle held about you before stays until you send /forget to me privately, which erases it.",
		"consent_forgotten":       "Huddle held nothing about you but your answer to the privacy notice; that is erased now.",
		"consent_mydata":          "Huddle holds nothing about you but your answer to the privacy notice: %s.",
		"consent_status_asked":    "not answered yet",
		"consent_status_declined": "declined",
		"consent_given":           "You accepted version %d of this notice on %s. Choose \"No thanks\" to withdraw: Huddle then records nothing more about you.",
		"privacy_off":             "Your program gathered consent outside Huddle. /mydata shows what is held about you, /forget erases it.",
		"forget_private":          "To erase your data, send /forget to me in a private chat.",
		"forget_ask":              "This erases everything Huddle holds about you: your profile, answers, scores, lesson history and activity. Cases you shared stay, already de-identified, without your name (\"a former member\"); group totals keep counting past activity without knowing it was yours. It cannot be undone. Erase everything?",
		"forget_yes":              "Yes, erase everything",
		"forget_no":               "No, keep it",
		"forget_done":             "Done: Huddle no longer holds anything about you. If you write again, you start afresh.",
		"forget_kept":             "Nothing was erased.",
		"welcome":                 "Welcome to Huddle, %s! I share short lessons and quizzes with your group.",
		"help":                    "Commands:\n/lessons: list lessons\n/lesson ID: start a lesson\n/progress: your scores\n/case TEXT: share a de-identified case with your group\n/escalate: send a case to a mentor (reply to it)\n/cases WORDS: search answered cases\n/lang CODE: your language (en, fr)\n/name NEW: the name others see you by\n/mydata: what Huddle holds about you\n/privacy: the privacy notice, to accept or withdraw\n/forget: erase what Huddle holds about you\n/help: this list",
		"unknown":                 "I don't know %s.",
		"lessons":                 "Lessons:",
		"lessons_none":            "No lessons are loaded.",
		"lesson_usage":            "Which lesson? Send /lesson ID, for example /lesson %s. /lessons lists them.",
		"lesson_unknown":          "There is no lesson called %q. Send /lessons to see them.",
		"direct_only":             "%s is taken one to one: message me privately and send /lesson %s.",
		"replace_q":               "%s is still running here. Replace it with %s?",
		"replace_yes":             "Yes, replace it",
		"replace_no":              "No, keep it",
		"replace_kept":            "OK, %s continues.",
		"replace_stale":           "That question has expired.",
		"progress":                "Your progress, %s:",
		"progress_none":           "You haven't answered any lesson yet. Send /lessons to start one.",
		"progress_line":           "%s: %s, %d/%d correct, %s points",
		"status_active":           "in progress",
		"status_done":             "finished",
		"status_stopped":          "stopped",
		"lang_set":                "Language set to %s.",
		"lang_bad":                "I don't know the language %q. Use a code such as en or fr.",
		"lang_usage":              "Send /lang CODE, for example /lang fr.",
		"hint":                    "Send /lessons to see the lessons, or /help for all commands.",
		"option_stale":            "That question is closed.",
		"sorry":                   "Sorry, something went wrong on my side; the team has been told.",
		"channel_down":            "⚠️ Huddle's %s channel is down: %s",
		"assign_group":            "Send /assign in the group that should get the lesson.",
		"assign_refused":          "Only program staff and the group's admins can assign lessons.",
		"assign_none":             "No lessons are assigned to this group. Send /assign ID to assign one.",
		"assign_list":             "Lessons assigned to this group:",
		"assigned":                "📅 %s is assigned to this group: it starts by itself %s (%s), next on %s. /unassign %s stops it.",
		"unassign_usage":          "Which lesson? Send /unassign ID; /assign lists them.",
		"unassign_none":           "%q is not assigned to this group.",
		"unassigned":              "%s will no longer start by itself here.",
	},
	"fr": {
		"mydata_private":          "Envoyez-moi /mydata en conversation privée : je ne réponds que là.",
		"mydata_head":             "Ce que Huddle garde sur vous :",
		"mydata_profile":          "Profil : %s (identifiant %s %s) ; les autres vous voient sous le nom %s",
		"mydata_since":            "Vu pour la première fois le %s ; langue %s",
		"mydata_consent":          "Notice de confidentialité : acceptée, version %d, le %s",
		"mydata_consent_not":      "Notice de confidentialité : %s",
		"mydata_consent_off":      "Notice de confidentialité : votre programme a recueilli votre accord hors de Huddle",
		"mydata_groups":           "Groupes : %s",
		"mydata_lessons":          "Leçons auxquelles vous avez pris part : %d ; vos réponses gardées : %d (voir /progress)",
		"mydata_mentor":           "Mentor pour : %s ; cas qui vous ont été confiés : %d",
		"mydata_file":             "Tout cela en entier, dans un fichier (JSON) à garder ou à apporter à un autre service.",
		"mydata_cases":            "Cas partagés : %d ; vos messages dans les fils de cas : %d (anonymisés)",
		"mydata_activity":         "Journal d'activité (types d'action, pas leur texte) : %s",
		"mydata_rights":           "/name change le nom que les autres voient, /privacy retire votre accord, /forget efface tout cela.",
		"name_is":                 "Les autres vous voient sous le nom %s. Envoyez /name NOUVEAU pour en choisir un autre.",
		"name_set":                "C'est fait : les autres vous voient désormais sous le nom %s.",
		"name_taken":              "Quelqu'un utilise déjà %q ; choisissez-en un autre.",
		"name_length":             "Un nom a de 2 à 32 lettres. Envoyez /name NOUVEAU.",
		"name_chars":              "Un nom ne peut contenir que des lettres, des chiffres, des espaces et - _ . '.",
		"name_phone":              "Cela ressemble à un numéro de téléphone : choisissez un nom qui ne vous identifie pas ainsi.",
		"name_given":              "Les noms de la forme Member-1234 sont ceux que donne Huddle ; choisissez-en un autre.",
		"name_word":               "Ce nom n'est pas permis ici ; choisissez-en un autre.",
		"consent_notice":          "🔒 Avant que Huddle n'enregistre quoi que ce soit sur vous : il garde votre nom, vos groupes, vos réponses aux quiz et vos scores, et votre activité, pour que votre groupe et l'équipe du programme suivent l'apprentissage. Les cas que vous partagez sont d'abord débarrassés des détails sur les patients. Les autres vous voient sous un pseudonyme, sauf si vous choisissez un nom (/name). /mydata montre ce qui est gardé, /forget l'efface, et rien n'est gardé plus longtemps que la limite du programme. Acceptez-vous ?",
		"consent_yes":             "J'accepte",
		"consent_no":              "Non merci",
		"consent_thanks":          "Merci : vos réponses et votre activité comptent désormais.",
		"consent_thanks_group":    "Merci : vos réponses comptent désormais. Renvoyez votre réponse si elle n'a pas été comptée.",
		"consent_declined":        "Compris : Huddle n'enregistre rien sur vous. Vous pouvez toujours lire le groupe. Envoyez /privacy si vous changez d'avis.",
		"consent_declined_known":  "Ce que Huddle savait de vous avant reste jusqu'à ce que vous m'envoyiez /forget en privé, qui l'efface.",
		"consent_forgotten":       "Huddle ne gardait de vous que votre réponse à la notice de confidentialité ; elle est effacée.",
		"consent_mydata":          "Huddle ne garde de vous que votre réponse à la notice de confidentialité : %s.",
		"consent_status_asked":    "pas encore répondu",
		"consent_status_declined": "refusée",
		"consent_given":           "Vous avez accepté la version %d de cette notice le %s. Choisissez « Non merci » pour retirer votre accord : Huddle n'enregistre alors plus rien sur vous.",
		"privacy_off":             "Votre programme a recueilli votre accord hors de Huddle. /mydata montre ce qui est gardé sur vous, /forget l'efface.",
		"forget_private":          "Pour effacer vos données, envoyez-moi /forget en conversation privée.",
		"forget_ask":              "Cela efface tout ce que Huddle sait de vous : votre profil, vos réponses, vos scores, vos leçons et votre activité. Les cas que vous avez partagés restent, déjà anonymisés, sans votre nom (« un ancien membre ») ; les totaux des groupes comptent encore l'activité passée sans savoir qu'elle était la vôtre. C'est définitif. Tout effacer ?",
		"forget_yes":              "Oui, tout effacer",
		"forget_no":               "Non, garder",
		"forget_done":             "C'est fait : Huddle ne sait plus rien de vous. Si vous écrivez de nouveau, vous repartez de zéro.",
		"forget_kept":             "Rien n'a été effacé.",
		"welcome":                 "Bienvenue sur Huddle, %s ! Je partage de courtes leçons et des quiz avec votre groupe.",
		"help":                    "Commandes :\n/lessons : liste des leçons\n/lesson ID : commencer une leçon\n/progress : vos scores\n/case TEXTE : partager un cas anonymisé avec le groupe\n/escalate : envoyer un cas à un mentor (en réponse au cas)\n/cases MOTS : chercher parmi les cas résolus\n/lang CODE : votre langue (en, fr)\n/name NOUVEAU : le nom sous lequel les autres vous voient\n/mydata : ce que Huddle garde sur vous\n/privacy : la notice de confidentialité, pour accepter ou retirer votre accord\n/forget : effacer ce que Huddle sait de vous\n/help : cette liste",
		"unknown":                 "Je ne connais pas %s.",
		"lessons":                 "Leçons :",
		"lessons_none":            "Aucune leçon n'est chargée.",
		"lesson_usage":            "Quelle leçon ? Envoyez /lesson ID, par exemple /lesson %s. /lessons les liste.",
		"lesson_unknown":          "Il n'y a pas de leçon %q. Envoyez /lessons pour les voir.",
		"direct_only":             "%s se suit en privé : écrivez-moi directement et envoyez /lesson %s.",
		"replace_q":               "%s est encore en cours ici. La remplacer par %s ?",
		"replace_yes":             "Oui, remplacer",
		"replace_no":              "Non, continuer",
		"replace_kept":            "D'accord, %s continue.",
		"replace_stale":           "Cette question a expiré.",
		"progress":                "Vos progrès, %s :",
		"progress_none":           "Vous n'avez encore répondu à aucune leçon. Envoyez /lessons pour commencer.",
		"progress_line":           "%s : %s, %d/%d justes, %s points",
		"status_active":           "en cours",
		"status_done":             "terminée",
		"status_stopped":          "arrêtée",
		"lang_set":                "Langue : %s.",
		"lang_bad":                "Je ne connais pas la langue %q. Utilisez un code comme en ou fr.",
		"lang_usage":              "Envoyez /lang CODE, par exemple /lang fr.",
		"hint":                    "Envoyez /lessons pour voir les leçons, ou /help pour toutes les commandes.",
		"option_stale":            "Cette question est close.",
		"sorry":                   "Désolé, un problème est survenu de mon côté ; l'équipe est prévenue.",
		"channel_down":            "⚠️ Le canal %s de Huddle est hors service : %s",
		"assign_group":            "Envoyez /assign dans le groupe qui doit recevoir la leçon.",
		"assign_refused":          "Seuls l'équipe du programme et les administrateurs du groupe peuvent programmer des leçons.",
		"assign_none":             "Aucune leçon n'est programmée pour ce groupe. Envoyez /assign ID pour en programmer une.",
		"assign_list":             "Leçons programmées pour ce groupe :",
		"assigned":                "📅 %s est programmée pour ce groupe : elle commence d'elle-même %s (%s), prochaine fois le %s. /unassign %s l'arrête.",
		"unassign_usage":          "Quelle leçon ? Envoyez /unassign ID ; /assign les liste.",
		"unassign_none":           "%q n'est pas programmée pour ce groupe.",
		"unassigned":              "%s ne commencera plus d'elle-même ici.",
	},
}

// languageNames names the languages the router speaks, in themselves.
var languageNames = map[string]string{"en": "English", "fr": "Français"}

// tr returns the text for key in lang, falling back to English, formatted
// with args.
func tr(lang, key string, args ...any) string {
	m, ok := catalog[baseLang(lang)]
	if !ok {
		m = catalog["en"]
	}
	s, ok := m[key]
	if !ok {
		s = catalog["en"][key]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// baseLang reduces "fr-CA" or "fr_CA" to "fr".
func baseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	return lang
}
