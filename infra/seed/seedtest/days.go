// Package seedtest holds what the seed's tests and the end-to-end tests
// share: the dates on which the demo data is checked besides today.
package seedtest

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Day is an instant to run the demo at, named for why it is hard.
type Day struct {
	Name string
	At   time.Time
}

// Days are the date-sensitive instants `make test` runs the seeded stack
// at, besides the real today: the day holiday classes start, a term
// boundary whose first hour is still the old term's day in UTC, 29 February,
// and 1 January 00:30 in Wuxi, still 31 December in UTC.
var Days = []Day{
	// The summer care classes' first day (the Monday on or after 6 July):
	// 08:00 in Wuxi is midnight in UTC.
	{"holiday classes start", time.Date(2027, 7, 12, 8, 0, 0, 0, domain.CityZone)},
	// Winter turns to spring; in UTC it is still the last evening of February.
	{"1 March 00:30", time.Date(2027, 3, 1, 0, 30, 0, 0, domain.CityZone)},
	{"29 February", time.Date(2028, 2, 29, 9, 0, 0, 0, domain.CityZone)},
	{"1 January 00:30", time.Date(2027, 1, 1, 0, 30, 0, 0, domain.CityZone)},
}

// Today is the real today, as the wall clock says it is: the demo must
// work on the day `make test` runs too.
func Today() Day { return Day{"today", time.Now()} }

// WithToday is Today and then Days.
func WithToday() []Day { return append([]Day{Today()}, Days...) }
