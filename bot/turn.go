package bot

import "context"

// turnKey is the context key under which a chat's turn carries its chat
// key.
type turnKey struct{}

// InTurnOf returns ctx marked as the turn of the chat key (ChatKey): the
// router's chat queue runs each event and each piece of the scheduler's
// work so. A store shared by several instances serialises the
// transactions of one chat's turns across them (see ChatInTurn).
func InTurnOf(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, turnKey{}, key)
}

// ChatInTurn is the chat key of the turn ctx runs in, "" outside one.
func ChatInTurn(ctx context.Context) string {
	key, _ := ctx.Value(turnKey{}).(string)
	return key
}
