package cityfigures

import (
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// NewPlaces is the one metric targets use today: the net change in places of
// a kind from the baseline date through the end of the year — every change in
// the ledger, ends of terms included, so a place carried into a new term's
// offering is not counted again, and a place cut or cancelled counts against.
const NewPlaces = "new_places"

// Target is a goal the city set, kept as data.
type Target struct {
	Kind     domain.Kind `json:"kind"`
	Year     int         `json:"year"`
	Metric   string      `json:"metric"`
	Target   int         `json:"target"`
	Baseline string      `json:"baseline"` // first day counted, YYYY-MM-DD
	Title    string      `json:"title"`    // Chinese first, English beside it
}

// Validate checks a target before it is stored.
func (t Target) Validate() error {
	switch {
	case !t.Kind.Valid():
		return fmt.Errorf("target: unknown kind %q", t.Kind)
	case t.Metric != NewPlaces:
		return fmt.Errorf("target: unknown metric %q", t.Metric)
	case t.Target <= 0:
		return fmt.Errorf("target: %d is not a goal", t.Target)
	}
	b, err := time.Parse(time.DateOnly, t.Baseline)
	if err != nil || b.Year() != t.Year {
		return fmt.Errorf("target: baseline %q is not a day of %d", t.Baseline, t.Year)
	}
	return nil
}

// Window is the days the target counts as of today: from the baseline
// through the year's last day, or today if the year is not over.
func (t Target) Window(today string) (from, to string) {
	to = fmt.Sprintf("%04d-12-31", t.Year)
	if today < to {
		to = today
	}
	return t.Baseline, to
}

// Progress is a target with what has been achieved towards it.
type Progress struct {
	Target
	From      string  `json:"from"`
	To        string  `json:"to"`
	Achieved  int     `json:"achieved"`
	Remaining int     `json:"remaining"`
	Progress  float64 `json:"progress"` // achieved / target, to four decimals
	Changes   int     `json:"changes"`  // ledger entries counted
}

// Measure sums the changes of the target's kind within its window as of
// today; changes may hold other kinds and days, which are left out.
func Measure(t Target, changes []Change, today string) Progress {
	p := Progress{Target: t}
	p.From, p.To = t.Window(today)
	for _, c := range changes {
		if c.Kind == t.Kind && c.Date >= p.From && c.Date <= p.To {
			p.Achieved += c.Delta
			p.Changes++
		}
	}
	p.Remaining = max(0, t.Target-p.Achieved)
	p.Progress = Ratio(p.Achieved, t.Target)
	return p
}

// TargetKey names a target: its year, kind and metric (one of each at a time).
func (t Target) Key() string { return fmt.Sprintf("%04d#%s#%s", t.Year, t.Kind, t.Metric) }

// TargetValues are what an officer sets of a target.
type TargetValues struct {
	Target   int    `json:"target"`
	Baseline string `json:"baseline"`
	Title    string `json:"title"`
}

// Values are t's settable values.
func (t Target) Values() TargetValues {
	return TargetValues{Target: t.Target, Baseline: t.Baseline, Title: t.Title}
}

// TargetChange is one change of a target, as its history shows it: the
// values it set, when and by whom. Before (what it replaced, nil when the
// change made the target) is kept but not shown: it is the entry before.
type TargetChange struct {
	TargetValues
	ChangedAt time.Time     `json:"changed_at"`
	ChangedBy string        `json:"changed_by"`
	Key       string        `json:"-"` // the target's (Target.Key)
	Version   int           `json:"-"` // 1 for the change that made it
	Before    *TargetValues `json:"-"`
}
