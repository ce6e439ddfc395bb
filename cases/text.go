package cases

import (
	"fmt"
	"strings"
)

// catalog holds case discussions' texts by language; English is the
// fallback.
var catalog = map[string]map[string]string{
	"en": {
		"help_case":       "share a de-identified case with your group",
		"help_escalate":   "send a case to a mentor (reply to it)",
		"help_cases":      "search answered cases",
		"usage_text":      "TEXT",
		"usage_words":     "WORDS",
		"usage":           "Share a de-identified case: /case followed by the case (age band, what happened, what was done, your question). No names, numbers or dates that could identify the patient.",
		"template":        "This group shares cases in a set form. Copy it, fill in every line (no names, numbers or dates), and send it:\n\n/case\nAge band: \nSex: \nPresentation: \nDone so far: \nQuestion: ",
		"group_only":      "Send /case in your group, so that your peers can discuss it.",
		"removed":         "[removed]",
		"posted":          "🩺 Case #C%d, shared by %s\n\n%s\n\nReply to this message to discuss. If peers can't settle it, /escalate %d sends it to a mentor.",
		"flagged_group":   "%s, your case was not posted: it may identify a patient. I have written to you privately.",
		"flagged_nodm":    "%s, your case was not posted: it may identify a patient (%s). Send it again without them, or message me privately first so that I can show you what to remove.",
		"flagged_dm":      "Your case for %s was not posted: it may identify a patient. I found: %s.\n\nHere it is with those parts removed:\n\n%s\n\nPost this version, or send /case again in the group with your own edit. Your original text was not stored.",
		"post_redacted":   "Post this version",
		"discard":         "Discard it",
		"confirmed":       "Posted as case #C%d in %s.",
		"discarded":       "Discarded; nothing was posted or kept.",
		"pending_gone":    "That case was already posted or discarded.",
		"not_yours":       "Only the case's author can do that.",
		"reply_redacted":  "%s, I kept your reply in case #C%d without what could identify a patient (%s). Please keep cases de-identified.",
		"no_case":         "Which case? Reply to the case's message, or give its number: %s 12.",
		"unknown_case":    "There is no case #C%s here.",
		"escalated":       "Case #C%d is with the %s mentors: %s",
		"escalate_auto":   "No peer has replied to case #C%d yet, so it goes to the %s mentors: %s",
		"mentor_has":      "a mentor has it and will answer here.",
		"mentor_wait":     "it waits for the next free mentor.",
		"escalated_none":  "Case #C%d needs a mentor, but none is set up for this group yet. I have told the programme staff; the case waits and goes to a mentor as soon as one is added.",
		"nomentor_staff":  "⚠️ Case #C%d in %s was sent to a mentor, but %s. Add a mentor: reply to their message in a group with /mentor add QUEUE, or run huddle mentors add. The case waits for them.",
		"nomentor_queue":  "no mentor is set up for the %s queue",
		"nomentor_noq":    "no mentor queue is named under mentors: in the configuration",
		"already_mentor":  "Case #C%d is already with a mentor.",
		"already_done":    "Case #C%d is %s.",
		"assigned_dm":     "🩺 Case #C%d from %s (%s queue), for you to answer:\n\n%s%s\n\nReply to this message with your answer, or send /answer %d YOUR ANSWER. /pass %d gives it back to the queue.",
		"thread":          "\n\nThe thread so far:",
		"answer_post":     "👩‍⚕️ A mentor's answer to case #C%d (%s):\n\n%s",
		"answer_author":   "Your case #C%d in %s has a mentor's answer: open the group to read it.",
		"answer_mentor":   "Thank you: your answer is posted in %s. /close %d closes the case.",
		"answer_usage":    "Send /answer NUMBER YOUR ANSWER, or reply to the case's message.",
		"mentors_only":    "Only mentors can do that.",
		"not_assignee":    "Case #C%d is with another mentor.",
		"queue_empty":     "No cases for you: none assigned, none waiting in your queues (%s).",
		"queue_head":      "Your cases:",
		"queue_mine":      "\n• #C%d, %s (yours, for %s): %s",
		"queue_wait":      "\n• #C%d, %s (waiting %s, /take %d): %s",
		"taken":           "Case #C%d is yours.",
		"full":            "You already have %d open cases; answer or /pass one first.",
		"passed":          "Case #C%d went back to the %s queue.",
		"closed":          "Case #C%d is closed.",
		"reminder":        "⏰ Case #C%d has waited %s for your answer. Reply to it, /answer %d …, or /pass %d if you can't.",
		"reassigned":      "Case #C%d went to another mentor, as it had waited %s.",
		"overdue_staff":   "⏰ Case #C%d in %s (%s queue) has had no mentor's answer for %s.",
		"search_usage":    "Search the answered cases of your groups: /cases WORDS, for example /cases postpartum bleeding.",
		"search_none":     "No answered case in your groups matches %q.",
		"search_head":     "Cases matching %q (send /case NUMBER to read one):",
		"search_line":     "\n• #C%d, %s: %s",
		"show":            "🩺 Case #C%d, %s, %s\n\n%s",
		"show_post":       "\n\n%s %s: %s",
		"closed_thread":   "Case #C%d is closed, so replies no longer join it. To discuss it again, share it anew with /case.",
		"staff_only":      "Only programme staff can do that.",
		"private_only":    "Send this to me in a private chat.",
		"mentor_usage":    "Mentors of a queue:\n/mentor lists them (privately)\n/mentor add QUEUE, in reply to a member's message or mentioning them, adds them (they must have written to me privately first); or /mentor add QUEUE CHANNEL:ID\n/mentor remove QUEUE, the same way, removes one\nQueues: %s.",
		"mentor_whom":     "Whom? Reply to the member's message with /mentor %s %s, or mention them.",
		"unknown_queue":   "There is no queue %q. Queues: %s.",
		"not_known":       "%s has not written to me yet: ask them to send /start to me privately, then add them again.",
		"mentor_added":    "%s is now a mentor of the %s queue.",
		"mentor_already":  "%s is already a mentor of the %s queue.",
		"mentor_removed":  "%s is no longer a mentor of the %s queue.",
		"mentor_not":      "%s was not added to the %s queue with /mentor.",
		"mentor_config":   "%s is a mentor of the %s queue in the config file; remove them there.",
		"mentor_welcome":  "You are now a mentor of the %s queue. Cases come to you here: reply to one to answer it. /queue lists your cases.",
		"mentor_list":     "Mentors:",
		"mentor_line":     "\n• %s: %s",
		"mentor_none":     "nobody yet",
		"status_open":     "open",
		"status_assigned": "with a mentor",
		"status_answered": "answered",
		"status_closed":   "closed",
		"former":          "a former member",
		"lesson_note":     "📘 the lesson",
	},
	"fr": {
		"help_case":       "partager un cas anonymisé avec le groupe",
		"help_escalate":   "envoyer un cas à un mentor (en réponse au cas)",
		"help_cases":      "chercher parmi les cas résolus",
		"usage_text":      "TEXTE",
		"usage_words":     "MOTS",
		"usage":           "Partagez un cas anonymisé : /case suivi du cas (tranche d'âge, ce qui s'est passé, ce qui a été fait, votre question). Aucun nom, numéro ou date qui permettrait de reconnaître la patiente.",
		"template":        "Ce groupe partage ses cas sous une forme fixe. Copiez-la, remplissez chaque ligne (sans nom, numéro ni date) et envoyez-la :\n\n/case\nTranche d'âge : \nSexe : \nPrésentation : \nDéjà fait : \nQuestion : ",
		"group_only":      "Envoyez /case dans votre groupe, pour que vos collègues puissent en discuter.",
		"removed":         "[retiré]",
		"posted":          "🩺 Cas #C%d, partagé par %s\n\n%s\n\nRépondez à ce message pour en discuter. Si le groupe ne tranche pas, /escalate %d l'envoie à un mentor.",
		"flagged_group":   "%s, votre cas n'a pas été publié : il pourrait permettre de reconnaître une patiente. Je vous ai écrit en privé.",
		"flagged_nodm":    "%s, votre cas n'a pas été publié : il pourrait permettre de reconnaître une patiente (%s). Renvoyez-le sans ces éléments, ou écrivez-moi d'abord en privé pour que je vous montre quoi retirer.",
		"flagged_dm":      "Votre cas pour %s n'a pas été publié : il pourrait permettre de reconnaître une patiente. J'ai trouvé : %s.\n\nLe voici sans ces éléments :\n\n%s\n\nPubliez cette version, ou renvoyez /case dans le groupe avec votre correction. Votre texte d'origine n'a pas été conservé.",
		"post_redacted":   "Publier cette version",
		"discard":         "L'abandonner",
		"confirmed":       "Publié comme cas #C%d dans %s.",
		"discarded":       "Abandonné ; rien n'a été publié ni conservé.",
		"pending_gone":    "Ce cas a déjà été publié ou abandonné.",
		"not_yours":       "Seul l'auteur du cas peut faire cela.",
		"reply_redacted":  "%s, j'ai gardé votre réponse au cas #C%d sans ce qui pourrait reconnaître une patiente (%s). Merci de garder les cas anonymes.",
		"no_case":         "Quel cas ? Répondez au message du cas, ou donnez son numéro : %s 12.",
		"unknown_case":    "Il n'y a pas de cas #C%s ici.",
		"escalated":       "Le cas #C%d est transmis aux mentors %s : %s",
		"escalate_auto":   "Personne n'a encore répondu au cas #C%d : il part chez les mentors %s : %s",
		"mentor_has":      "un mentor l'a pris et répondra ici.",
		"mentor_wait":     "il attend le prochain mentor disponible.",
		"escalated_none":  "Le cas #C%d a besoin d'un mentor, mais aucun n'est encore prévu pour ce groupe. J'ai prévenu l'équipe du programme ; le cas attend et ira à un mentor dès qu'il y en aura un.",
		"nomentor_staff":  "⚠️ Le cas #C%d dans %s a été transmis à un mentor, mais %s. Ajoutez un mentor : répondez à son message dans un groupe par /mentor add FILE, ou lancez huddle mentors add. Le cas l'attend.",
		"nomentor_queue":  "aucun mentor n'est prévu pour la file %s",
		"nomentor_noq":    "aucune file de mentors n'est nommée sous mentors: dans la configuration",
		"already_mentor":  "Le cas #C%d est déjà chez un mentor.",
		"already_done":    "Le cas #C%d est %s.",
		"assigned_dm":     "🩺 Cas #C%d de %s (file %s), pour vous :\n\n%s%s\n\nRépondez à ce message, ou envoyez /answer %d VOTRE RÉPONSE. /pass %d le rend à la file.",
		"thread":          "\n\nLa discussion jusqu'ici :",
		"answer_post":     "👩‍⚕️ Réponse d'un mentor au cas #C%d (%s) :\n\n%s",
		"answer_author":   "Votre cas #C%d dans %s a reçu la réponse d'un mentor : ouvrez le groupe pour la lire.",
		"answer_mentor":   "Merci : votre réponse est publiée dans %s. /close %d clôt le cas.",
		"answer_usage":    "Envoyez /answer NUMÉRO VOTRE RÉPONSE, ou répondez au message du cas.",
		"mentors_only":    "Seuls les mentors peuvent faire cela.",
		"not_assignee":    "Le cas #C%d est chez un autre mentor.",
		"queue_empty":     "Aucun cas pour vous : aucun attribué, aucun en attente dans vos files (%s).",
		"queue_head":      "Vos cas :",
		"queue_mine":      "\n• #C%d, %s (à vous depuis %s) : %s",
		"queue_wait":      "\n• #C%d, %s (en attente depuis %s, /take %d) : %s",
		"taken":           "Le cas #C%d est à vous.",
		"full":            "Vous avez déjà %d cas ouverts ; répondez ou faites /pass d'abord.",
		"passed":          "Le cas #C%d est retourné dans la file %s.",
		"closed":          "Le cas #C%d est clos.",
		"reminder":        "⏰ Le cas #C%d attend votre réponse depuis %s. Répondez-y, /answer %d …, ou /pass %d si vous ne pouvez pas.",
		"reassigned":      "Le cas #C%d est passé à un autre mentor, après %s d'attente.",
		"overdue_staff":   "⏰ Le cas #C%d dans %s (file %s) attend la réponse d'un mentor depuis %s.",
		"search_usage":    "Cherchez parmi les cas résolus de vos groupes : /cases MOTS, par exemple /cases hémorragie.",
		"search_none":     "Aucun cas résolu de vos groupes ne correspond à %q.",
		"search_head":     "Cas correspondant à %q (envoyez /case NUMÉRO pour en lire un) :",
		"search_line":     "\n• #C%d, %s : %s",
		"show":            "🩺 Cas #C%d, %s, %s\n\n%s",
		"show_post":       "\n\n%s %s : %s",
		"closed_thread":   "Le cas #C%d est clos : les réponses ne s'y ajoutent plus. Pour en rediscuter, partagez-le de nouveau avec /case.",
		"staff_only":      "Seule l'équipe du programme peut faire cela.",
		"private_only":    "Envoyez-moi cela en conversation privée.",
		"mentor_usage":    "Mentors d'une file :\n/mentor les liste (en privé)\n/mentor add FILE, en réponse au message d'un membre ou en le mentionnant, l'ajoute (il doit m'avoir écrit en privé d'abord) ; ou /mentor add FILE CANAL:ID\n/mentor remove FILE, de la même façon, en retire un\nFiles : %s.",
		"mentor_whom":     "Qui ? Répondez au message du membre par /mentor %s %s, ou mentionnez-le.",
		"unknown_queue":   "Il n'y a pas de file %q. Files : %s.",
		"not_known":       "%s ne m'a pas encore écrit : demandez-lui de m'envoyer /start en privé, puis ajoutez-le de nouveau.",
		"mentor_added":    "%s est maintenant mentor de la file %s.",
		"mentor_already":  "%s est déjà mentor de la file %s.",
		"mentor_removed":  "%s n'est plus mentor de la file %s.",
		"mentor_not":      "%s n'a pas été ajouté à la file %s avec /mentor.",
		"mentor_config":   "%s est mentor de la file %s dans le fichier de configuration : retirez-le là.",
		"mentor_welcome":  "Vous êtes maintenant mentor de la file %s. Les cas vous arrivent ici : répondez à un cas pour y répondre. /queue liste vos cas.",
		"mentor_list":     "Mentors :",
		"mentor_line":     "\n• %s : %s",
		"mentor_none":     "personne pour l'instant",
		"status_open":     "ouvert",
		"status_assigned": "chez un mentor",
		"status_answered": "résolu",
		"status_closed":   "clos",
		"former":          "un ancien membre",
		"lesson_note":     "📘 la leçon",
	},
}

// tr returns the text key in lang (English when missing), formatted.
func tr(lang, key string, args ...any) string {
	base := lang
	if i := strings.IndexAny(base, "-_"); i > 0 {
		base = base[:i]
	}
	s, ok := catalog[base][key]
	if !ok {
		s = catalog["en"][key]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// list joins items for a sentence: "a, b and c" (English) or "a, b et c".
func list(lang string, items []string) string {
	and := " and "
	if strings.HasPrefix(lang, "fr") {
		and = " et "
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}
