// Package router takes every inbound event in order per chat and turns it
// into state changes and outbound messages committed together: it
// asks the gatekeeper (the privacy notice) once whether the event goes
// on, deduplicates it, registers the member and the chat, and hands the
// event to the lesson engine or to the features (commands, option handlers, message and edit handlers)
// that the App plugs in through bot.Feature. It knows no platform and no
// SQL: its store is a bot.Updater.
package router
