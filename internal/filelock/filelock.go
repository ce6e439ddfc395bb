// Package filelock keeps two Huddle processes off one file: two processes
// draining one outbox would send messages twice, and two WhatsApp clients
// on one session replace each other's connection.
package filelock

import "errors"

// ErrLocked says another process holds the lock.
var ErrLocked = errors.New("another huddle is using this file")
