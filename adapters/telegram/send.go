package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/huddlebot/huddle/bot"
)

// maxMessage is Telegram's limit on a message's text, in characters.
const maxMessage = 4096

// Send delivers one message, its options as an inline keyboard with one
// button a row, paced by the channel's rate.
func (t *Telegram) Send(ctx context.Context, m bot.Outbound) (string, error) {
	if err := t.limiter.Wait(ctx); err != nil {
		return "", err
	}
	params := sendParams(m)
	resp, err := t.call(ctx, "sendMessage", params)
	if err != nil {
		return "", classify(err)
	}
	var sent tgbotapi.Message
	if err := jsonUnmarshal(resp.Result, &sent); err != nil {
		return "", &bot.PermanentError{Err: err}
	}
	return strconv.Itoa(sent.MessageID), nil
}

// sendParams builds the sendMessage request for m.
func sendParams(m bot.Outbound) tgbotapi.Params {
	text := m.Text
	if utf8.RuneCountInString(text) > maxMessage {
		text = string([]rune(text)[:maxMessage-1]) + "…"
	}
	params := tgbotapi.Params{"chat_id": m.ChatID, "text": text}
	if m.ReplyTo != "" {
		params["reply_to_message_id"] = m.ReplyTo
		params["allow_sending_without_reply"] = "true"
	}
	if len(m.Options) > 0 {
		rows := make([][]tgbotapi.InlineKeyboardButton, len(m.Options))
		for i, o := range m.Options {
			rows[i] = []tgbotapi.InlineKeyboardButton{tgbotapi.NewInlineKeyboardButtonData(o.Label, o.Data)}
		}
		markup, _ := json.Marshal(tgbotapi.NewInlineKeyboardMarkup(rows...))
		params["reply_markup"] = string(markup)
	}
	return params
}

// classify maps a Bot API error to the errors bot.Sender acts on.
func classify(err error) error {
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		return err // the network: try again
	}
	switch {
	case apiErr.MigrateToChatID != 0:
		return &bot.MigratedError{NewChatID: id(apiErr.MigrateToChatID)}
	case apiErr.RetryAfter > 0:
		return &bot.RetryError{After: time.Duration(apiErr.RetryAfter) * time.Second, Err: err}
	case apiErr.Code == 400 || apiErr.Code == 403 || apiErr.Code == 404:
		// Chat not found, bot blocked or removed, bad request: retrying
		// the same message cannot help.
		return &bot.PermanentError{Err: err}
	}
	return err
}

func jsonUnmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }
