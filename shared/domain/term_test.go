package domain

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTermOfAtBoundaries: the first and last moments of each season, 29
// February, and instants given in another zone, which name the term of the
// day in Wuxi: 1 January 00:30 in Shanghai is still 31 December in UTC.
func TestTermOfAtBoundaries(t *testing.T) {
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return at.UTC()
	}
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"1 January", date("2027-01-01"), "2027-winter"},
		{"29 February", date("2028-02-29"), "2028-winter"},
		{"last of February", date("2027-02-28"), "2027-winter"},
		{"1 March", date("2027-03-01"), "2027-spring"},
		{"30 June", date("2027-06-30"), "2027-spring"},
		{"1 July", date("2027-07-01"), "2027-summer"},
		{"31 August", date("2027-08-31"), "2027-summer"},
		{"1 September", date("2027-09-01"), "2027-autumn"},
		{"31 December", date("2026-12-31"), "2026-autumn"},
		{"1 January 00:30 Shanghai, given in UTC", utc("2027-01-01T00:30:00+08:00"), "2027-winter"},
		{"1 March 00:30 Shanghai, given in UTC", utc("2027-03-01T00:30:00+08:00"), "2027-spring"},
		{"1 September 07:59 Shanghai, given in UTC", utc("2027-09-01T07:59:00+08:00"), "2027-autumn"},
		{"31 December 23:59 Shanghai, given in UTC", utc("2026-12-31T23:59:00+08:00"), "2026-autumn"},
		{"a date read as UTC midnight", utc("2027-03-01T00:00:00Z"), "2027-spring"},
	}
	for _, c := range cases {
		if got := TermOf(c.at); got != c.want {
			t.Errorf("%s: TermOf(%s) = %s, want %s", c.name, c.at.Format(time.RFC3339), got, c.want)
		}
	}
}

// TestTermEndsAtBoundaries: each season's last day, February's in a leap
// year, and autumn's in January of the next year; the day after is the
// next term's (or, for autumn, winter's days that autumn courses run into).
func TestTermEndsAtBoundaries(t *testing.T) {
	cases := []struct{ term, last, next string }{
		{"2027-winter", "2027-02-28", "2027-spring"},
		{"2028-winter", "2028-02-29", "2028-spring"},
		{"2027-spring", "2027-06-30", "2027-summer"},
		{"2027-summer", "2027-08-31", "2027-autumn"},
		{"2026-autumn", "2027-01-31", "2027-winter"},
		{"2027-autumn", "2028-01-31", "2028-winter"},
	}
	for _, c := range cases {
		end, ok := TermEnds(c.term)
		if !ok || end.Format(DateLayout) != c.last {
			t.Errorf("TermEnds(%s) = %s, %v; want %s", c.term, end.Format(DateLayout), ok, c.last)
			continue
		}
		if _, off := end.Zone(); off != 8*3600 || end.Hour() != 0 {
			t.Errorf("TermEnds(%s) = %s, want midnight in Wuxi", c.term, end)
		}
		if got := TermOf(end.AddDate(0, 0, 1)); got != c.next {
			t.Errorf("the day after %s ends is in %s, want %s", c.term, got, c.next)
		}
	}
	for _, bad := range []string{"2027-monsoon", "2027", ""} {
		if _, ok := TermEnds(bad); ok {
			t.Errorf("TermEnds(%q) succeeded", bad)
		}
	}
}

// TestTermSteps: NextTerm and PreviousTerm among the seasons a kind runs in,
// across the turn of the year, and inverse of each other.
func TestTermSteps(t *testing.T) {
	evening := NoShowRules[EveningCourse].Seasons
	all := []string{"winter", "spring", "summer", "autumn"}
	cases := []struct {
		term   string
		runsIn []string
		prev   string
		next   string
	}{
		{"2027-spring", evening, "2026-autumn", "2027-autumn"},
		{"2026-autumn", evening, "2026-spring", "2027-spring"},
		// Terms a kind does not run in still have neighbours among those it does.
		{"2027-winter", evening, "2026-autumn", "2027-spring"},
		{"2027-summer", evening, "2027-spring", "2027-autumn"},
		{"2028-winter", all, "2027-autumn", "2028-spring"},
		{"2027-autumn", all, "2027-summer", "2028-winter"},
		{"2027-spring", []string{"spring"}, "2026-spring", "2028-spring"},
	}
	for _, c := range cases {
		prev, okP := PreviousTerm(c.term, c.runsIn)
		next, okN := NextTerm(c.term, c.runsIn)
		if !okP || !okN || prev != c.prev || next != c.next {
			t.Errorf("%s in %v: previous %s (%v), next %s (%v); want %s, %s", c.term, c.runsIn, prev, okP, next, okN, c.prev, c.next)
		}
		_, season, _ := strings.Cut(c.term, "-")
		if back, _ := NextTerm(prev, c.runsIn); slices.Contains(c.runsIn, season) && back != c.term {
			t.Errorf("NextTerm(PreviousTerm(%s)) = %s", c.term, back)
		}
	}
	for _, bad := range []struct {
		term   string
		runsIn []string
	}{{"2027-monsoon", evening}, {"2027-spring", nil}, {"2027-spring", []string{"monsoon"}}} {
		if _, ok := NextTerm(bad.term, bad.runsIn); ok {
			t.Errorf("NextTerm(%q, %v) succeeded", bad.term, bad.runsIn)
		}
		if _, ok := PreviousTerm(bad.term, bad.runsIn); ok {
			t.Errorf("PreviousTerm(%q, %v) succeeded", bad.term, bad.runsIn)
		}
	}
}
