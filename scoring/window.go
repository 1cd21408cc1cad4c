package scoring

import (
	"fmt"
	"time"

	"gongkai/evidence"
)

// Window returns the evaluation window for asOf: the months complete
// calendar months before asOf's month, as first and last day (inclusive).
// As of 2020-03-01 with 12 months it is 2019-03-01 .. 2020-02-29.
func Window(asOf evidence.Date, months int) (from, to evidence.Date) {
	first := evidence.NewDate(asOf.Year, asOf.Month, 1)
	to = first.AddDays(-1)
	from = first.AddMonths(-months)
	return from, to
}

// period is one month, quarter or year.
type period struct {
	label      string
	start, end evidence.Date
}

// periods lists the periods of kind ("month", "quarter", "year") that the
// window [from, to] requires: wholly inside it, or (touched) meeting it.
func periods(kind string, from, to evidence.Date, touched bool) []period {
	var out []period
	var start evidence.Date
	switch kind {
	case "month":
		start = evidence.NewDate(from.Year, from.Month, 1)
	case "quarter":
		start = evidence.NewDate(from.Year, time.Month((int(from.Month)-1)/3*3+1), 1)
	default:
		start = evidence.NewDate(from.Year, 1, 1)
	}
	for !start.After(to) {
		var next evidence.Date
		var label string
		switch kind {
		case "month":
			next = start.AddMonths(1)
			label = fmt.Sprintf("%04d-%02d", start.Year, int(start.Month))
		case "quarter":
			next = start.AddMonths(3)
			label = fmt.Sprintf("%04d-Q%d", start.Year, (int(start.Month)-1)/3+1)
		default:
			next = start.AddMonths(12)
			label = fmt.Sprintf("%04d", start.Year)
		}
		end := next.AddDays(-1)
		inside := !start.Before(from) && !end.After(to)
		if inside || touched {
			out = append(out, period{label: label, start: start, end: end})
		}
		start = next
	}
	return out
}

func monthOf(m int) time.Month { return time.Month(m) }
