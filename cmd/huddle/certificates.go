package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/huddlebot/huddle/bot"
	"github.com/huddlebot/huddle/certificate"
	"github.com/huddlebot/huddle/store"
	"github.com/spf13/cobra"
)

func newCertificatesCmd(src *configSource) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "certificates",
		Short: "Work with the CPD certificates members earned",
	}
	verify := &cobra.Command{
		Use:   "verify CODE",
		Short: "Check a certificate's code and print what it states",
		Long: `Check a certificate's verification code (as printed on it, with or without
its dashes) and print what the certificate states: the name, what it is for,
the CPD hours and the date. The exit status is 1 when no certificate has the
code.`,
		Example: `  huddle certificates verify 7KQ4-MZ2P-XR9C`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := src.load()
			if err != nil {
				return err
			}
			loc, err := time.LoadLocation(cfg.Timezone)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			code, ok := certificate.Normalize(args[0])
			if !ok {
				fmt.Fprintf(w, "%q is not a certificate code: a code is 12 letters and digits, such as 7KQ4-MZ2P-XR9C\n", args[0])
				return exitError{"not a code"}
			}
			db, err := store.OpenReader(cmd.Context(), cfg.Database)
			if err != nil {
				return err
			}
			defer db.Close()
			c, err := db.Certificate(cmd.Context(), code)
			if errors.Is(err, bot.ErrNotFound) {
				fmt.Fprintf(w, "no certificate has the code %s\n", code)
				return exitError{"unknown code"}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "valid certificate %s\n", c.Code)
			fmt.Fprintf(w, "  awarded to:     %s\n", c.Name)
			fmt.Fprintf(w, "  for completing: %s\n", c.Title)
			if c.Hours > 0 {
				fmt.Fprintf(w, "  CPD hours:      %s\n", certificate.Hours(c.Hours))
			}
			fmt.Fprintf(w, "  issued on:      %s\n", c.Issued.In(loc).Format("2 January 2006"))
			return nil
		},
	}
	cmd.AddCommand(dbFlag(verify, src))
	return cmd
}
