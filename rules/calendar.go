package rules

import (
	"fmt"
	"strings"
	"time"

	"gongkai/evidence"
	"gongkai/internal/yamlstrict"

	"gopkg.in/yaml.v3"
)

// Calendar says which days are working days: Monday to Friday, except the
// listed public holidays, plus the listed make-up working days (调休) that
// fall on weekends.
type Calendar struct {
	// Holidays are days off that would otherwise be working days.
	Holidays DateSet `yaml:"holidays"`
	// Workdays are weekend days worked instead (调休).
	Workdays DateSet `yaml:"workdays"`
}

// DateSet is a set of dates, written as a list of "2025-01-01" or ranges
// "2025-01-28..2025-02-04".
type DateSet map[evidence.Date]bool

// DecodeYAMLNode implements yamlstrict.NodeDecoder.
func (s *DateSet) DecodeYAMLNode(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("want a list of dates, got %s", describe(n))
	}
	out := DateSet{}
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return &yamlstrict.NodeError{Node: c, Msg: fmt.Sprintf("want a date or a range, got %s", describe(c))}
		}
		from, to, ok := strings.Cut(c.Value, "..")
		start, err := evidence.ParseDate(strings.TrimSpace(from))
		if err != nil {
			return &yamlstrict.NodeError{Node: c, Msg: err.Error()}
		}
		end := start
		if ok {
			if end, err = evidence.ParseDate(strings.TrimSpace(to)); err != nil {
				return &yamlstrict.NodeError{Node: c, Msg: err.Error()}
			}
			if end.Before(start) || start.DaysUntil(end) > 31 {
				return &yamlstrict.NodeError{Node: c, Msg: fmt.Sprintf("range %q must run forwards and span at most 31 days", c.Value)}
			}
		}
		for d := start; !d.After(end); d = d.AddDays(1) {
			out[d] = true
		}
	}
	*s = out
	return nil
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d evidence.Date) bool {
	if c.Workdays[d] {
		return true
	}
	if c.Holidays[d] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the date n working days after d (d itself not counted).
func (c *Calendar) AddWorkdays(d evidence.Date, n int) evidence.Date {
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts the working days after from up to and including
// to; it is 0 when to is not after from.
func (c *Calendar) WorkdaysBetween(from, to evidence.Date) int {
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// DecodeYAMLNode implements yamlstrict.NodeDecoder.
func (s *Days) DecodeYAMLNode(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration such as \"14d\", got %s", describe(n))
	}
	d, err := ParseDays(n.Value)
	if err != nil {
		return err
	}
	*s = d
	return nil
}

// DecodeYAMLNode implements yamlstrict.NodeDecoder.
func (md *MonthDay) DecodeYAMLNode(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a day such as \"01-31\", got %s", describe(n))
	}
	v, err := ParseMonthDay(n.Value)
	if err != nil {
		return err
	}
	*md = v
	return nil
}
