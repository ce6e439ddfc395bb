package botapifake

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// lanes is how many connections Deliver uses at once: Telegram's default
// max_connections for a webhook.
const lanes = 40

// Delivery counts what Deliver did.
type Delivery struct {
	// Posted counts updates answered 200; Retried counts posts that were
	// not (refused, or the instance was gone) and went again.
	Posted, Retried int
}

// Deliver posts the updates to the bot's webhook, as Telegram does once
// setWebhook is called, instead of answering getUpdates: each update to
// one of urls in turn (a load balancer's round robin), with the secret
// token. An update not answered 200 (the instance died, or refused it)
// goes again, to the next url, after a pause. A chat's updates go one
// after another, in order, each once the one before was taken; different
// chats' go at once, over up to 40 connections. Delivery runs until the
// test ends; Delivered counts it.
func (s *Server) Deliver(tb testing.TB, urls []string, secret string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	tb.Cleanup(func() { cancel(); wg.Wait() })
	queues := make([]chan []byte, lanes)
	for i := range queues {
		queues[i] = make(chan []byte, 1<<14)
		wg.Add(1)
		go func(q chan []byte, first int) {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second}
			next := first
			for {
				var u []byte
				select {
				case u = <-q:
				case <-ctx.Done():
					return
				}
				for {
					next++
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, urls[next%len(urls)], bytes.NewReader(u))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
					resp, err := client.Do(req)
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							s.mu.Lock()
							s.delivery.Posted++
							s.mu.Unlock()
							break
						}
					}
					if ctx.Err() != nil {
						return
					}
					s.mu.Lock()
					s.delivery.Retried++
					s.mu.Unlock()
					select {
					case <-time.After(100 * time.Millisecond):
					case <-ctx.Done():
						return
					}
				}
			}
		}(queues[i], i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		sent := 0
		for {
			s.mu.Lock()
			todo, chats := s.updates[sent:], s.chatOf[sent:]
			arrived := s.arrived
			s.mu.Unlock()
			for i, u := range todo {
				lane := chats[i] % lanes
				if lane < 0 {
					lane = -lane
				}
				queues[lane] <- u
			}
			sent += len(todo)
			select {
			case <-arrived:
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Delivered returns Deliver's counts so far.
func (s *Server) Delivered() Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivery
}
