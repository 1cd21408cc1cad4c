package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"gongkai/evidence"
	"gongkai/internal/pii"
)

// Content checks: what a unit must not publish (personal data disclosed by
// mistake) or publishes wrongly (the name of an organ abolished by
// institutional reform, used as if it still acted).

// The kinds of personal number a privacy check counts (Check.Numbers).
const (
	NumberID     = evidence.PersonalID
	NumberMobile = evidence.PersonalMobile
	NumberCard   = evidence.PersonalCard
)

// numberKinds are the valid Check.Numbers entries.
var numberKinds = []string{NumberID, NumberMobile, NumberCard}

// Counts reports whether a privacy check counts numbers of kind k.
func (c *Check) Counts(k string) bool {
	return len(c.Numbers) == 0 || slices.Contains(c.Numbers, k)
}

// Vocabulary returns the words a privacy check judges by: its own lists,
// and the default ruleset's (pii.DefaultVocabulary) where it gives none.
// The crawler records which of these words stand around each number.
func (c *Check) Vocabulary() pii.Vocabulary {
	v := pii.DefaultVocabulary()
	set := func(dst *[]string, src []string) {
		if src != nil {
			*dst = src
		}
	}
	set(&v.PersonHeaders, c.PersonHeaders)
	set(&v.ListWords, c.ListWords)
	set(&v.ContactWords, c.ContactLabels)
	set(&v.CardWords, c.CardWords)
	set(&v.IDWords, c.IDWords)
	return v
}

// ReadsAttachments reports whether a privacy check reads the files item
// pages attach.
func (c *Check) ReadsAttachments() bool { return c.Attachments == nil || *c.Attachments }

// OutdatedName is the name of an organ that an institutional reform
// abolished or renamed, with its successor and the day it ceased. A
// document dated after that day (and the check's grace) that uses the
// name as a current actor is a finding.
type OutdatedName struct {
	// Name is the name as documents print it (国家工商行政管理总局).
	Name string `yaml:"name"`
	// Aliases are other forms of it (short forms, a district's own
	// prefix); each is matched like Name.
	Aliases []string `yaml:"aliases"`
	// Successor is the organ that took its functions (国家市场监督管理总局).
	Successor string `yaml:"successor"`
	// Ceased is when the name ceased to be right.
	Ceased Ceased `yaml:"ceased"`
	// Basis names the reform (《深化党和国家机构改革方案》（2018年）).
	Basis string `yaml:"basis"`
	Pos   Pos    `yaml:"-"`
}

// Names returns the name followed by its aliases.
func (n *OutdatedName) Names() []string { return append([]string{n.Name}, n.Aliases...) }

// Ceased is the day a name ceased, written "2018-03" (the last day of
// that month: documents of the month may still use it) or "2018-03-17".
type Ceased struct {
	evidence.Date
	// Text is the value as written.
	Text string
}

var ceasedRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$`)

// ParseCeased reads "2018-03" or "2018-03-17".
func ParseCeased(s string) (Ceased, error) {
	s = strings.TrimSpace(s)
	m := ceasedRE.FindStringSubmatch(s)
	if m == nil {
		return Ceased{}, fmt.Errorf("bad date %q: want a month such as \"2018-03\" or a day such as \"2018-03-17\"", s)
	}
	if m[3] != "" {
		d, err := evidence.ParseDate(s)
		if err != nil {
			return Ceased{}, err
		}
		return Ceased{Date: d, Text: s}, nil
	}
	var y, mo int
	fmt.Sscanf(m[1]+" "+m[2], "%d %d", &y, &mo)
	if mo < 1 || mo > 12 {
		return Ceased{}, fmt.Errorf("bad month %q", s)
	}
	first := evidence.NewDate(y, time.Month(mo), 1)
	return Ceased{Date: first.AddMonths(1).AddDays(-1), Text: s}, nil
}

// DecodeYAMLNode implements yamlstrict.NodeDecoder.
func (c *Ceased) DecodeYAMLNode(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a date such as \"2018-03\", got %s", describe(n))
	}
	v, err := ParseCeased(n.Value)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// OutdatedNameFor returns the listed entry that has name as its name or an
// alias, or nil.
func (r *Ruleset) OutdatedNameFor(name string) *OutdatedName {
	return r.outdatedByName[name]
}

// ListedNames returns every listed name and alias, in list order.
func (r *Ruleset) ListedNames() []string {
	var out []string
	for i := range r.OutdatedNames {
		out = append(out, r.OutdatedNames[i].Names()...)
	}
	return out
}

func (v *validator) outdatedNames(at Pos) {
	seen := map[string]Pos{}
	for _, n := range v.rs.OutdatedNames {
		ent := fmt.Sprintf("outdated name %q", n.Name)
		if strings.TrimSpace(n.Name) == "" {
			v.add(n.Pos, ent, "name", "required")
		}
		if strings.TrimSpace(n.Successor) == "" {
			v.add(n.Pos, ent, "successor", "required: the organ that took its functions")
		}
		if n.Ceased.IsZero() {
			v.add(n.Pos, ent, "ceased", "required: the month (\"2018-03\") or day the name ceased")
		}
		for _, x := range n.Names() {
			if strings.TrimSpace(x) == "" {
				v.add(n.Pos, ent, "aliases", "empty name")
				continue
			}
			if p, dup := seen[x]; dup {
				v.add(n.Pos, ent, "name", "%q is listed twice (first at %s)", x, p)
			}
			seen[x] = n.Pos
			if n.Successor != "" && strings.Contains(n.Successor, x) {
				v.add(n.Pos, ent, "successor", "%q contains the old name %q: every use of the successor would count as the old name", n.Successor, x)
			}
		}
	}
	hasCheck := false
	for i := range v.rs.Checks {
		hasCheck = hasCheck || v.rs.Checks[i].Kind == KindOutdatedName
	}
	if hasCheck && len(v.rs.OutdatedNames) == 0 {
		v.add(at, "", "outdated_names", "an outdated_name check needs the list of outdated names (names.yaml)")
	}
}

// privacyParams validates a privacy check's parameters.
func (v *validator) privacyParams(c *Check, ent string, at func(string) Pos) {
	for _, k := range c.Numbers {
		if !slices.Contains(numberKinds, k) {
			v.add(at("numbers"), ent, "numbers", "unknown kind %q%s", k, suggest(k, numberKinds))
		}
	}
	for key, list := range map[string][]string{
		"person_headers": c.PersonHeaders, "list_words": c.ListWords, "contact_labels": c.ContactLabels,
		"card_words": c.CardWords, "id_words": c.IDWords,
	} {
		for i, w := range list {
			if strings.TrimSpace(w) == "" {
				v.add(at(key), ent, fmt.Sprintf("%s[%d]", key, i), "empty word")
			}
		}
	}
}
