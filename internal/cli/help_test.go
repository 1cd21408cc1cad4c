package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// argNames are the argument names a flag's help may show: pflag's guesses
// from the value's type, and the names the usage strings give in back
// quotes on purpose. A back-quoted word pflag takes for a name by mistake
// ("--nats gongkai worker") is not among them.
var argNames = map[string]bool{
	"": true, "string": true, "int": true, "duration": true, "float": true,
	"url": true, "id": true,
}

// strayDefault is a default pflag prints that the user never sees in
// effect: a negative sentinel ("unset") or an empty list.
var strayDefault = regexp.MustCompile(`\(default (-[0-9][^)]*|\[\])\)`)

// TestHelpFlags walks every command's flags, as --help prints them, and
// fails on a default printed twice (one in the usage text and one added
// by pflag), a sentinel default, or a misread argument name.
func TestHelpFlags(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		for _, line := range strings.Split(c.LocalFlags().FlagUsages(), "\n") {
			if strings.Count(line, "(default") > 1 {
				t.Errorf("%s: two defaults: %s", c.CommandPath(), strings.TrimSpace(line))
			}
			if m := strayDefault.FindString(line); m != "" {
				t.Errorf("%s: stray %s: %s", c.CommandPath(), m, strings.TrimSpace(line))
			}
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			name, usage := pflag.UnquoteUsage(f)
			if !argNames[name] {
				t.Errorf("%s --%s: argument name %q (a back-quoted word in %q?)", c.CommandPath(), f.Name, name, f.Usage)
			}
			if strings.Contains(usage, "`") {
				t.Errorf("%s --%s: a back quote left in the help: %q", c.CommandPath(), f.Name, usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root := NewRoot(Env{})
	root.InitDefaultCompletionCmd()
	walk(root)
}
