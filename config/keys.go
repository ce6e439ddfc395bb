package config

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// openMaps are the settings whose keys are the program's own (queue names,
// chats, languages): anything under them is known.
var openMaps = []string{"mentors", "cases.group_queues", "privacy.consent.notice", "channels.sms.cohorts", "channels.sms.costs"}

// known reports whether a key is part of the configuration.
func known(key string) bool {
	if _, ok := defaults[key]; ok {
		return true
	}
	for _, m := range openMaps {
		if strings.HasPrefix(key, m+".") {
			return true
		}
	}
	return false
}

// section reports whether key groups settings (channels, channels.sim).
func section(key string) bool {
	for k := range defaults {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// siblings are the known names beside key: what a misspelt key may have
// meant.
func siblings(key string) []string {
	parent, depth := "", strings.Count(key, ".")
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		parent = key[:i+1]
	}
	var out []string
	for k := range defaults {
		if !strings.HasPrefix(k, parent) {
			continue
		}
		name := strings.Split(k, ".")[depth]
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// nearest is the name among names closest to s, when it is close enough
// to be a slip (a letter or two, or a third of a long name), or the one s
// begins (retention for retention_days); "" otherwise.
func nearest(s string, names []string) string {
	best, bestD := "", 1<<30
	for _, n := range names {
		if d := distance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	for _, n := range names {
		if len(s) >= 4 && strings.HasPrefix(n, s) {
			return n
		}
	}
	return ""
}

// distance is the edit distance between a and b (insertions, deletions,
// substitutions and swaps of neighbours each count one).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// unknownKeys reads the config file and names every key in it that is no
// setting, each at its line with the nearest real key: "huddle.yaml:3:
// dashbord: unknown key; did you mean dashboard?". A misspelt section is
// named once, not with each key under it.
func unknownKeys(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil, nil // viper has said what is wrong with it, or it is empty
	}
	var out []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := prefix + strings.ToLower(k.Value)
			switch {
			case known(key) || slices.Contains(openMaps, key):
			case section(key):
				walk(v, key+".")
			default:
				msg := fmt.Sprintf("%s:%d: %s: unknown key", file, k.Line, key)
				if near := nearest(key[len(prefix):], siblings(key)); near != "" {
					msg += "; did you mean " + prefix + near + "?"
				}
				out = append(out, msg)
			}
		}
	}
	walk(doc.Content[0], "")
	return out, nil
}

// envPrefixes are the HUDDLE_ variables that are no setting but are
// read all the same: the config file's name, and the tests' and
// benchmarks' own.
var envPrefixes = []string{"HUDDLE_CONFIG", "HUDDLE_TEST_", "HUDDLE_BENCH_", "HUDDLE_STALL_", "HUDDLE_SCREENSHOT"}

// unknownEnv names the HUDDLE_ environment variables that set nothing,
// with the nearest real one.
func unknownEnv(environ []string) []string {
	names := make([]string, 0, len(defaults))
	for k := range defaults {
		names = append(names, envName(k))
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "HUDDLE_") || slices.Contains(names, name) ||
			slices.ContainsFunc(envPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		msg := name + " sets nothing"
		if near := nearest(name, names); near != "" {
			msg += "; did you mean " + near + "?"
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}

// envName is the environment variable that sets key.
func envName(key string) string {
	return "HUDDLE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}
