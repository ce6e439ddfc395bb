package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/config"
	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newMentorsCmd(src *configSource) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mentors",
		Short: "List, add and remove the mentors of each case queue",
		Long: `Mentors answer the cases members escalate. Queues are named under mentors: in
the configuration, with the mentors listed there; staff add more with
'/mentor add QUEUE' in the chat (replying to the member's message) or with
'huddle mentors add' here (with the simulator as the only channel, a trial,
a "general" queue is there, its mentor the simulator's Dr Otieno, as
'huddle run' has it). A mentor is named as channel:id, such as
telegram:123456789 or whatsapp:254700000000, and must have written to the
bot once (privately, so it can reach them).

add, remove and list work whether huddle runs or not: a change is one small
transaction beside the bot's. Cases waiting in a queue are offered to a
mentor added to it within a quarter of an hour (at once when huddle
starts).`,
		Example: `  huddle mentors list
  huddle mentors add obstetrics telegram:123456789
  huddle mentors remove obstetrics whatsapp:254700000000`,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List each queue's mentors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			cfg = cfg.AsRun() // the queues huddle run has
			db, err := store.OpenReader(cmd.Context(), cfg.Database)
			if err != nil {
				return err
			}
			defer db.Close()
			added, err := db.Mentors(cmd.Context())
			if err != nil {
				return err
			}
			return listMentors(cmd.OutOrStdout(), cfg, added)
		},
	}
	change := func(use, short string, add bool) *cobra.Command {
		return dbFlag(&cobra.Command{
			Use:   use + " QUEUE CHANNEL:ID",
			Short: short,
			Args:  cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := src.load()
				if err != nil {
					return err
				}
				cfg = cfg.AsRun()
				msg, err := changeMentor(cmd.Context(), cfg, args[0], args[1], add)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), msg)
				return nil
			},
		}, src)
	}
	cmd.AddCommand(dbFlag(list, src),
		change("add", "Make a member a mentor of a queue", true),
		change("remove", "Remove a mentor added with add or /mentor add", false))
	return cmd
}

// listMentors prints each configured queue with its mentors: the
// configuration's, then those added in the database.
func listMentors(w io.Writer, cfg config.Config, added map[string][]store.MentorRow) error {
	queues := make([]string, 0, len(cfg.Mentors))
	for q := range cfg.Mentors {
		queues = append(queues, q)
	}
	for q := range added {
		if _, ok := cfg.Mentors[q]; !ok {
			queues = append(queues, q)
		}
	}
	slices.Sort(queues)
	if len(queues) == 0 {
		fmt.Fprintln(w, "No mentor queues. Name one under mentors: in the configuration, such as\n  mentors:\n    obstetrics: [\"telegram:123456789\"]")
		return nil
	}
	for _, q := range queues {
		fmt.Fprintf(w, "%s\n", q)
		if _, ok := cfg.Mentors[q]; !ok {
			fmt.Fprintln(w, "  (not in the configuration: its cases go nowhere until it is)")
		}
		n := 0
		for _, ref := range cfg.Mentors[q] {
			from := "configuration"
			if ref == config.SimMentor {
				from = "the simulator's mentor, while it is the only channel"
			}
			fmt.Fprintf(w, "  %-32s %s\n", ref, from)
			n++
		}
		for _, m := range added[q] {
			fmt.Fprintf(w, "  %-32s added %s (%s)\n", m.Ref, m.Added.Format(time.DateOnly), m.Pseudonym)
			n++
		}
		if n == 0 {
			fmt.Fprintln(w, "  no mentor: escalated cases wait")
		}
	}
	return nil
}

// changeMentor adds or removes a mentor of queue, naming them by ref.
func changeMentor(ctx context.Context, cfg config.Config, queue, refText string, add bool) (string, error) {
	if _, ok := cfg.Mentors[queue]; !ok {
		return "", fmt.Errorf("no queue %q: queues are named under mentors: in the configuration (%s)", queue, queueNames(cfg))
	}
	ref, err := bot.ParseStaffRef(refText)
	if err != nil {
		return "", fmt.Errorf("%q: name the mentor as channel:id, such as telegram:123456789", refText)
	}
	if slices.ContainsFunc(cfg.Mentors[queue], func(r string) bool { c, err := bot.ParseStaffRef(r); return err == nil && c == ref }) {
		return "", fmt.Errorf("%s is a mentor of %s in the configuration: change it there", ref, queue)
	}
	// Beside a running huddle too: the change is one small transaction
	// of its own, which the bot reads at its next case.
	m, changed, err := store.ChangeMentor(ctx, cfg.Database, queue, ref, add, time.Now())
	if errors.Is(err, bot.ErrNotFound) {
		return "", fmt.Errorf("%s has not written to the bot yet: ask them to send it /start privately, then try again", ref)
	}
	if err != nil {
		return "", err
	}
	switch {
	case add && changed:
		return fmt.Sprintf("%s (%s) is now a mentor of %s.", ref, m.Pseudonym, queue), nil
	case add:
		return fmt.Sprintf("%s (%s) was already a mentor of %s.", ref, m.Pseudonym, queue), nil
	case changed:
		return fmt.Sprintf("%s (%s) is no longer a mentor of %s.", ref, m.Pseudonym, queue), nil
	}
	return fmt.Sprintf("%s (%s) was not an added mentor of %s.", ref, m.Pseudonym, queue), nil
}

// queueNames lists the configured queues, or says there are none.
func queueNames(cfg config.Config) string {
	if len(cfg.Mentors) == 0 {
		return "there are none"
	}
	qs := make([]string, 0, len(cfg.Mentors))
	for q := range cfg.Mentors {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	return strings.Join(qs, ", ")
}
