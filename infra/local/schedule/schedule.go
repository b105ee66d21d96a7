// Package schedule reads EventBridge schedule expressions, cron(…) and
// rate(…), and says when they fire next, so the local stack runs scheduled
// functions when AWS would. What it cannot honour exactly (L, W, #, at(…)) is
// an error, never an approximation.
package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	// A ScheduleV2 time zone must load on any machine, tzdata or not.
	_ "time/tzdata"
)

// ErrUnsupported is wrapped by the errors for valid EventBridge syntax that
// this package does not implement.
var ErrUnsupported = errors.New("not supported by the local scheduler")

// EventBridge's cron years.
const minYear, maxYear = 1970, 2199

// Schedule is a parsed expression in a time zone.
type Schedule struct {
	expr string
	loc  *time.Location
	// every is the interval of a rate(…) expression; 0 for cron(…).
	every time.Duration
	// Allowed values of each cron field, indexed by value; day of week is
	// Go's (Sunday 0).
	minute, hour, dom, month, dow, year []bool
}

// Parse reads a schedule expression evaluated in loc (nil: UTC, as an
// EventBridge rule is).
func Parse(expr string, loc *time.Location) (*Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	e := strings.TrimSpace(expr)
	s := &Schedule{expr: e, loc: loc}
	var err error
	switch {
	case strings.HasPrefix(e, "rate(") && strings.HasSuffix(e, ")"):
		s.every, err = parseRate(e[len("rate(") : len(e)-1])
	case strings.HasPrefix(e, "cron(") && strings.HasSuffix(e, ")"):
		err = s.parseCron(e[len("cron(") : len(e)-1])
	case strings.HasPrefix(e, "at(") && strings.HasSuffix(e, ")"):
		err = fmt.Errorf("one-time at(…) schedules are %w", ErrUnsupported)
	default:
		err = errors.New("want cron(Minutes Hours Day-of-month Month Day-of-week Year) or rate(Value Unit)")
	}
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", expr, err)
	}
	return s, nil
}

// String is the expression as parsed, with its zone unless UTC.
func (s *Schedule) String() string {
	if s.loc == time.UTC {
		return s.expr
	}
	return s.expr + " " + s.loc.String()
}

// Location is the zone the expression is evaluated in.
func (s *Schedule) Location() *time.Location { return s.loc }

// Next is the first fire time strictly after after, in the schedule's zone;
// the zero time if there is none (every allowed year has passed). A rate
// fires every interval counted from after, as an EventBridge rule counts
// from its creation.
func (s *Schedule) Next(after time.Time) time.Time {
	if s.every > 0 {
		return after.Add(s.every).In(s.loc)
	}
	t := after.In(s.loc).Truncate(time.Minute).Add(time.Minute)
	if t.Year() < minYear {
		t = time.Date(minYear, time.January, 1, 0, 0, 0, 0, s.loc)
	}
	for t.Year() <= maxYear {
		y, mo, d := t.Date()
		var next time.Time
		switch {
		case !s.year[y]:
			next = time.Date(y+1, time.January, 1, 0, 0, 0, 0, s.loc)
		case !s.month[mo]:
			next = time.Date(y, mo+1, 1, 0, 0, 0, 0, s.loc)
		case !s.dom[d] || !s.dow[t.Weekday()]:
			next = time.Date(y, mo, d+1, 0, 0, 0, 0, s.loc)
		case !s.hour[t.Hour()]:
			next = t.Add(time.Duration(60-t.Minute()) * time.Minute)
			// Across a change of UTC offset the rest of the local hour is not
			// 60 minutes long: walk it minute by minute instead.
			_, o1 := t.Zone()
			_, o2 := next.Zone()
			if o1 != o2 {
				next = t.Add(time.Minute)
			}
		case !s.minute[t.Minute()] || repeated(t):
			next = t.Add(time.Minute)
		default:
			return t
		}
		// time.Date may land before t inside a daylight-saving gap; never go back.
		if !next.After(t) {
			next = t.Add(time.Minute)
		}
		t = next
	}
	return time.Time{}
}

// repeated reports whether t's wall clock already showed once, before the
// clocks went back. EventBridge Scheduler fires such a time once, and skips
// one that the clocks jump over; both fall out of walking real instants.
func repeated(t time.Time) bool {
	y, mo, d := t.Date()
	for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		u := t.Add(-back)
		uy, umo, ud := u.Date()
		if uy == y && umo == mo && ud == d && u.Hour() == t.Hour() && u.Minute() == t.Minute() {
			return true
		}
	}
	return false
}

// parseRate reads "Value Unit"; EventBridge wants the unit singular for 1
// and plural otherwise, and so does this.
func parseRate(body string) (time.Duration, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return 0, errors.New("rate wants a value and a unit, e.g. rate(5 minutes)")
	}
	n, err := number(f[0])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("rate value %q is not a positive whole number", f[0])
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit, plural := strings.CutSuffix(f[1], "s")
	d, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("rate unit %q is not minute(s), hour(s) or day(s)", f[1])
	}
	if plural != (n > 1) {
		return 0, fmt.Errorf("rate(%d %s): the unit is singular for 1 and plural otherwise", n, f[1])
	}
	return time.Duration(n) * d, nil
}

// field describes one cron field.
type field struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var (
	months   = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	weekdays = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

	minuteField = field{name: "Minutes", min: 0, max: 59}
	hourField   = field{name: "Hours", min: 0, max: 23}
	domField    = field{name: "Day-of-month", min: 1, max: 31}
	monthField  = field{name: "Month", min: 1, max: 12, names: months}
	dowField    = field{name: "Day-of-week", min: 1, max: 7, names: weekdays}
	yearField   = field{name: "Year", min: minYear, max: maxYear}
)

func (s *Schedule) parseCron(body string) error {
	f := strings.Fields(body)
	if len(f) != 6 {
		return fmt.Errorf("cron wants 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got %d", len(f))
	}
	// EventBridge: one of the two day fields must be ?, the other decides.
	if (f[2] == "?") == (f[4] == "?") {
		return errors.New("exactly one of Day-of-month and Day-of-week must be ?")
	}
	var errs []error
	set := func(fd field, tok string) []bool {
		v, err := fd.parse(tok)
		errs = append(errs, err)
		return v
	}
	s.minute = set(minuteField, f[0])
	s.hour = set(hourField, f[1])
	s.dom = set(domField, f[2])
	s.month = set(monthField, f[3])
	awsDow := set(dowField, f[4])
	s.year = set(yearField, f[5])
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// AWS counts 1-7 from Sunday; Go's Weekday 0-6 from Sunday.
	s.dow = make([]bool, 7)
	for d := 1; d <= 7; d++ {
		s.dow[d-1] = awsDow[d]
	}
	return nil
}

// parse reads one field: *, ?, or a comma list of a, a-b, */n, a/n, a-b/n.
// The result is indexed by value (0…max).
func (fd field) parse(tok string) ([]bool, error) {
	set := make([]bool, fd.max+1)
	if tok == "*" || tok == "?" {
		if tok == "?" && !fd.day() {
			return nil, fmt.Errorf("%s: ? is only for Day-of-month and Day-of-week", fd.name)
		}
		for v := fd.min; v <= fd.max; v++ {
			set[v] = true
		}
		return set, nil
	}
	for _, part := range strings.Split(tok, ",") {
		if err := fd.part(part, set); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func (fd field) part(part string, set []bool) error {
	if strings.Contains(part, "#") || fd.special(part) {
		return fmt.Errorf("%s %q: L, W and # are %w", fd.name, part, ErrUnsupported)
	}
	rng, stepText, hasStep := strings.Cut(part, "/")
	step := 1
	if hasStep {
		n, err := number(stepText)
		if err != nil || n < 1 {
			return fmt.Errorf("%s %q: the step %q is not a positive whole number", fd.name, part, stepText)
		}
		step = n
	}
	lo, hi := fd.min, fd.max
	switch a, b, isRange := strings.Cut(rng, "-"); {
	case rng == "*":
	case isRange:
		var err error
		if lo, err = fd.value(a); err != nil {
			return err
		}
		if hi, err = fd.value(b); err != nil {
			return err
		}
		if lo > hi {
			return fmt.Errorf("%s %q: the range runs backwards", fd.name, part)
		}
	default:
		v, err := fd.value(rng)
		if err != nil {
			return err
		}
		lo = v
		if !hasStep {
			hi = v // a bare value; "a/n" runs from a to the field's end
		}
	}
	for v := lo; v <= hi; v += step {
		set[v] = true
	}
	return nil
}

// value is a number or a name (JAN, SUN) within the field's bounds.
func (fd field) value(s string) (int, error) {
	for i, n := range fd.names {
		if strings.EqualFold(s, n) {
			return fd.min + i, nil
		}
	}
	n, err := number(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number%s", fd.name, s, fd.nameHint())
	}
	if n < fd.min || n > fd.max {
		return 0, fmt.Errorf("%s: %d is outside %d-%d", fd.name, n, fd.min, fd.max)
	}
	return n, nil
}

func (fd field) nameHint() string {
	if len(fd.names) == 0 {
		return ""
	}
	return " or one of " + strings.Join(fd.names, " ")
}

// day reports whether fd is Day-of-month or Day-of-week.
func (fd field) day() bool { return fd.name == domField.name || fd.name == dowField.name }

// special reports an L or W (last, weekday) in a day field, once names
// such as JUL and WED are taken out.
func (fd field) special(part string) bool {
	if !fd.day() {
		return false
	}
	p := strings.ToUpper(part)
	for _, n := range fd.names {
		p = strings.ReplaceAll(p, n, "")
	}
	return strings.ContainsAny(p, "LW")
}

// number is a plain decimal: no sign, no spaces.
func number(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return strconv.Atoi(s)
}
