package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"go.yaml.in/yaml/v3"
)

// askStep asks an open question; answers are kept, not scored. In direct
// mode the answer is in vars.ID for branch conditions.
//
//	steps:
//	  - ask:
//	      id: reflection
//	      prompt: "What will you do differently on your next shift?"
//	      timeout: 12h     # optional; in group mode 24h when not given
type askStep struct {
	id      string
	prompt  Text
	timeout time.Duration
}

func parseAsk(p *parser, n *yaml.Node, st *Step) stepKind {
	a := &askStep{}
	f := p.mapping(n, "ask", "id", "prompt", "timeout")
	if f == nil {
		return a
	}
	if v := f["id"]; v == nil {
		p.errf(n, "ask needs an id, to name its answers")
	} else if id, ok := p.str(v, "ask id"); ok {
		p.checkStepID(v, id)
		if st.ID != "" && st.ID != id {
			p.errf(v, "ask id %q differs from the step's id %q: give one", id, st.ID)
		}
		a.id = id
		st.ID = id
	}
	if v := f["prompt"]; v == nil {
		p.errf(n, "ask needs a prompt")
	} else {
		a.prompt = p.text(v, "prompt")
	}
	if v := f["timeout"]; v != nil {
		a.timeout, _ = p.duration(v, "timeout")
	}
	return a
}

func (a *askStep) enter(c *runCtx) outcome {
	c.post(c.st.Seq, "q", "💬 "+c.t(a.prompt))
	return c.open(a.timeout)
}

// voiceMark starts the recorded value of a voice answer, before its
// caption: the sound itself is kept beside the answer.
const voiceMark = "🎤"

func (a *askStep) answer(c *runCtx, in Input) bool {
	if in.Kind != InputText || (in.Text == "" && in.Voice == nil) {
		return false
	}
	if c.answered() {
		return false // a second message is conversation, not an answer
	}
	if in.Voice != nil && len(in.Voice.Data) == 0 {
		// A voice note the channel could not fetch: asked again, not
		// recorded as an empty answer.
		c.reply(fmt.Sprintf("novoice-%d-%s", in.Member.ID, in.MessageID), c.e.text(c.memberLang(in.Member.ID), "voice_unreadable"))
		return true
	}
	value := bot.Clip(in.Text, 1000)
	if in.Voice != nil {
		value = strings.TrimSpace(voiceMark + " " + value)
	}
	m := c.member()
	c.remember(m, a.id, value)
	if c.st.Mode == ModeDirect {
		if c.st.Vars == nil {
			c.st.Vars = map[string]string{}
		}
		c.st.Vars[a.id] = value
	}
	c.took(m)
	c.res.Answers = append(c.res.Answers, bot.Answer{MemberID: in.Member.ID, StepID: a.id, Seq: c.st.Seq,
		Value: value, Voice: in.Voice, At: in.Now})
	name := ""
	if c.st.Mode == ModeGroup && in.Member.Name != "" {
		name = ", " + in.Member.Name
	}
	c.reply(fmt.Sprintf("ack-%d", in.Member.ID), c.e.text(c.memberLang(in.Member.ID), "thanks", name))
	return true
}

func (a *askStep) close(*runCtx, bool) {}
