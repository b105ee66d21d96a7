// Package clock holds the clocks code takes its time from: a main wires in
// the wall clock (time.Now) or one of these; tests use them to run at a
// date of their choosing.
package clock

import (
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// From is a clock that reads at when it is made and advances in real time
// from there. It follows the wall clock, so it keeps its distance from it
// across a suspended machine or a clock that was set. Its times are in at's
// zone.
func From(at time.Time) func() time.Time {
	offset := time.Until(at)
	loc := at.Location()
	return func() time.Time { return time.Now().Add(offset).In(loc) }
}

// Fixed is a clock that always reads at.
func Fixed(at time.Time) func() time.Time {
	return func() time.Time { return at }
}

// Parse reads an instant as RFC 3339 ("2028-02-29T09:00:00+08:00"), or a
// date ("2028-02-29"), which is its midnight in Wuxi.
func Parse(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(domain.CityZone), nil
	}
	if t, err := domain.ParseDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2028-02-29T09:00:00+08:00) nor a date (2028-02-29)", s)
}
