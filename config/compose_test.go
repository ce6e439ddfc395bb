package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestComposeExample reads deploy/compose.yaml (Docker is not here to run
// it): three huddle instances with different instance names on the same
// PostgreSQL database (WhatsApp's session in it too) and the same shared
// media volume, in webhook mode,
// the same Telegram rate (the bot's, which the instances share) within
// Telegram's 30 a second, and every HUDDLE_ variable naming a real
// configuration key.
func TestComposeExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatal(err)
	}
	if _, ok := compose.Services["postgres"]; !ok {
		t.Error("no postgres service")
	}
	keys := map[string]bool{}
	for k := range defaults {
		keys["HUDDLE_"+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = true
	}
	instances, databases, rates := map[string]bool{}, map[string]bool{}, map[float64]bool{}
	huddles := 0
	for name, s := range compose.Services {
		if !strings.HasPrefix(name, "huddle-") {
			continue
		}
		huddles++
		env := s.Environment
		instances[env["HUDDLE_INSTANCE"]] = true
		databases[env["HUDDLE_DATABASE"]] = true
		if !strings.HasPrefix(env["HUDDLE_DATABASE"], "postgres://") {
			t.Errorf("%s: database %q, want PostgreSQL", name, env["HUDDLE_DATABASE"])
		}
		if env["HUDDLE_CHANNELS_WHATSAPP_SESSION_DB"] != env["HUDDLE_DATABASE"] {
			t.Errorf("%s: WhatsApp's session in %q; want it in the shared database, so every instance finds it", name, env["HUDDLE_CHANNELS_WHATSAPP_SESSION_DB"])
		}
		if env["HUDDLE_CHANNELS_TELEGRAM_MODE"] != "webhook" {
			t.Errorf("%s: Telegram mode %q, want webhook", name, env["HUDDLE_CHANNELS_TELEGRAM_MODE"])
		}
		r, err := strconv.ParseFloat(env["HUDDLE_CHANNELS_TELEGRAM_RATE"], 64)
		if err != nil {
			t.Errorf("%s: rate %q", name, env["HUDDLE_CHANNELS_TELEGRAM_RATE"])
		}
		rates[r] = true
		shared := false
		for _, v := range s.Volumes {
			shared = shared || strings.HasPrefix(v, "media:") && strings.HasSuffix(v, ":"+env["HUDDLE_MEDIA"])
		}
		if !shared {
			t.Errorf("%s: the media folder %q is not on the shared volume: %v", name, env["HUDDLE_MEDIA"], s.Volumes)
		}
		for k := range env {
			if !keys[k] {
				t.Errorf("%s: %s is no configuration key", name, k)
			}
		}
	}
	if huddles != 3 || len(instances) != 3 || len(databases) != 1 {
		t.Errorf("%d huddle services, %d instance names, %d databases; want 3, 3 and 1", huddles, len(instances), len(databases))
	}
	if len(rates) != 1 {
		t.Errorf("Telegram rates %v: the bot's rate, shared by the instances, is the same on each", rates)
	}
	for r := range rates {
		if r > 30 {
			t.Errorf("the instances send %g messages a second together; Telegram allows 30", r)
		}
	}
}
