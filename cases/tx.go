package cases

import "github.com/huddlebot/huddle/bot"

// Tx is the part of the store this feature sees: the areas it reads and
// writes, and no other. The router's transaction is one (bot.Tx); the
// feature's handlers are made of functions that take Tx (see their
// adapters), so that what the feature may touch is written here.
type Tx = bot.CaseTx

// asCommand makes a bot.Command's Run of f, which sees Tx alone.
func asCommand(f func(Tx, bot.Session, []string) error) func(bot.Tx, bot.Session, []string) error {
	return func(tx bot.Tx, s bot.Session, args []string) error { return f(tx, s, args) }
}

// asOption makes a bot.OptionHandler's Run of f, which sees Tx alone.
func asOption(f func(Tx, bot.Session) error) func(bot.Tx, bot.Session) error {
	return func(tx bot.Tx, s bot.Session) error { return f(tx, s) }
}

// asText makes a bot.TextHandler of f, which sees Tx alone.
func asText(f func(Tx, bot.Session) (bool, error)) bot.TextHandler {
	return func(tx bot.Tx, s bot.Session) (bool, error) { return f(tx, s) }
}
