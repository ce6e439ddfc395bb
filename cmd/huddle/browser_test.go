package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/huddlebot/huddle/internal/testkit/browsertest"
)

// TestCaseFlowInBrowser runs the whole case flow in the simulator's page
// of the real binary, as a programme officer trying Huddle would: a member
// shares a case, a peer replies with the page's Reply button, another
// escalates it; the mentor persona, who had not yet written to the bot,
// finds it in /queue, takes it, answers by replying to it and closes it;
// a member finds it with /cases; the staff persona lists the mentors.
func TestCaseFlowInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	serving(t, "HUDDLE_HTTP_LISTEN="+addr, "HUDDLE_PRIVACY_CONSENT_ASK=false")
	ctx := browsertest.Start(t, 420, 860)
	as, chat, send, wait, replyTo := browsertest.SimAs, browsertest.SimChat, browsertest.SimSend, browsertest.SimWaitText, browsertest.SimReplyTo
	err := chromedp.Do(ctx,
		chromedp.Navigate("http://"+addr+"/"),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		as("brigitte"), send("Good morning"),
		as("chinedu"), send("Hello everyone"),
		as("amina"), send("/case Woman of 24, two hours after birth, heavy bleeding despite oxytocin. What next?"),
		wait("Case #C1, shared by Member-"),
		as("brigitte"), replyTo("Case #C1, shared by"), send("Massage the uterus and empty the bladder."),
		as("chinedu"), send("/escalate 1"),
		wait("it waits for the next free mentor"),

		chat("dm-mentor"), send("/start"), wait("Welcome to Huddle"),
		send("/queue"), wait("/take 1"),
		send("/take 1"), wait("Case #C1 from Ward 7 midwives"),
		wait("Massage the uterus"), // the thread so far
		replyTo("Case #C1 from Ward 7 midwives"), send("Give tranexamic acid 1 g IV within 3 hours and call for help."),
		wait("your answer is posted in Ward 7 midwives"),
		send("/close 1"), wait("Case #C1 is closed"),

		chat("ward-7"), wait("A mentor's answer to case #C1"),
		chat("dm-amina"), send("/cases tranexamic"), wait("#C1, Ward 7 midwives"),
		chat("dm-staff"), send("/mentor"), wait("general: Member-"), wait("(sim:mentor)"),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#log")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page, "Only program staff") {
		t.Errorf("the staff persona was refused:\n%s", page)
	}
}
