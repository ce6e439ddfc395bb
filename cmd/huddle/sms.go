package main

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/huddlebot/huddle/adapters/sms"
	"github.com/huddlebot/huddle/adapters/sms/africastalking"
	"github.com/huddlebot/huddle/adapters/sms/smsgate"
	"github.com/huddlebot/huddle/adapters/sms/twilio"
	"github.com/huddlebot/huddle/config"
	"github.com/huddlebot/huddle/store"
)

// openSMS makes the SMS channel from its config, its gateway's and its
// cohorts', keeping its notes in db; with several instances sharing the
// database, one at a time sends.
func openSMS(sc config.SMSConfig, db *store.DB, instance string, log *slog.Logger) (*sms.SMS, error) {
	var gw sms.Gateway
	var err error
	switch sc.Gateway {
	case "smsgate":
		g := sc.SMSGate
		gw, err = smsgate.New(smsgate.Config{API: g.API, Username: g.Username, Password: g.Password,
			SigningKey: g.SigningKey, Country: g.Country, PerSecond: g.PerSecond})
	case "africastalking":
		a := sc.AfricasTalking
		gw, err = africastalking.New(africastalking.Config{Username: a.Username, APIKey: a.APIKey, From: a.From,
			Secret: a.CallbackSecret, PerSecond: a.PerSecond, API: a.API})
	default:
		t := sc.Twilio
		gw, err = twilio.New(twilio.Config{AccountSID: t.AccountSID, AuthToken: t.AuthToken, From: t.From,
			MessagingService: t.MessagingService, Webhook: t.WebhookURL, PerSecond: t.PerSecond, API: t.API})
	}
	if err != nil {
		return nil, err
	}
	cfg := sms.Config{Gateway: gw, Notebook: db, MaxSegments: sc.MaxSegments, Digest: sc.Digest, Help: sc.Help, Open: sc.Open, PublicURL: sc.PublicURL, Logger: log,
		Costs: map[string]sms.Price{}}
	for prefix, price := range sc.Costs {
		p, err := sms.ParsePrice(price)
		if err != nil {
			return nil, fmt.Errorf("channels.sms.costs.%s: %w", prefix, err)
		}
		cfg.Costs[prefix] = p
	}
	ids := make([]string, 0, len(sc.Cohorts))
	for id := range sc.Cohorts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := sc.Cohorts[id]
		cohort := sms.Cohort{ID: id, Title: c.Title}
		for _, m := range c.Members {
			number, name, err := c.Member(m)
			if err != nil {
				return nil, fmt.Errorf("channels.sms.cohorts.%s: %w", id, err)
			}
			cohort.Members = append(cohort.Members, sms.Phone{Number: number, Name: name})
		}
		cfg.Cohorts = append(cfg.Cohorts, cohort)
	}
	if db.Postgres() {
		cfg.Leases, cfg.Instance = db, instanceName(instance)
	}
	ch, err := sms.New(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("SMS channel ready", "gateway", gw.Name(), "cohorts", strings.Join(ids, ", "), "webhook", gw.Pattern())
	return ch, nil
}
