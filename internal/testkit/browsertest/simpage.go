package browsertest

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// Step is one action on a page.
type Step = chromedp.Action[chromedp.Void]

// The simulator page's controls, for tests that chat through it as a
// person would.

// SimAs chooses the persona who speaks next.
func SimAs(member string) Step {
	return chromedp.Click(chromedp.CSS(fmt.Sprintf(`#members button[data-member=%q]`, member)))
}

// SimChat opens a chat: the group ("ward-7") or a private one ("dm-amina").
func SimChat(chat string) Step {
	return chromedp.Click(chromedp.CSS(fmt.Sprintf(`#chats button[data-chat=%q]`, chat)))
}

// SimSend types text and sends it.
func SimSend(text string) Step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.SendKeys(chromedp.CSS("#text"), text)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Click(chromedp.CSS("#send"))(ctx, t)
	}
}

// SimWaitText waits for text in the chat shown; on a timeout it says which
// text and what the page showed last.
func SimWaitText(text string) Step {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector("#log").innerText.includes(%q)`, text),
			chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		if err != nil {
			shown, _ := chromedp.Evaluate[string](`document.querySelector("#log").innerText.slice(-1500)`)(ctx, tg)
			return chromedp.Void{}, fmt.Errorf("waiting for %q: %w; the page ends with:\n%s", text, err, shown)
		}
		return chromedp.Void{}, nil
	}
}

// SimPick clicks option n (1-based) of the newest bot message with options.
func SimPick(n int) Step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		id, err := chromedp.Evaluate[string](`(() => { const m = [...document.querySelectorAll('.msg[data-bot="true"]')].filter(e => e.querySelector('.options')); return m[m.length-1].dataset.id })()`)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Click(chromedp.CSS(fmt.Sprintf(`.msg[data-id=%q] .options button:nth-child(%d)`, id, n)))(ctx, t)
	}
}

// SimReplyTo presses "Reply" on the newest message that contains text, so
// the next message sent replies to it.
func SimReplyTo(text string) Step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		id, err := chromedp.Evaluate[string](fmt.Sprintf(`(() => { const m = [...document.querySelectorAll('.msg')].filter(e => e.querySelector('.text').innerText.includes(%q)); return m.length ? m[m.length-1].dataset.id : "" })()`, text))(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		if id == "" {
			return chromedp.Void{}, fmt.Errorf("no message with %q to reply to", text)
		}
		if _, err := chromedp.Click(chromedp.CSS(fmt.Sprintf(`.msg[data-id=%q] .reply-btn`, id)))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.WaitVisible(chromedp.CSS("#replying"))(ctx, t)
	}
}
