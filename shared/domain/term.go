package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Terms are named "<year>-<season>". The seasons in calendar order, with the
// last day of each (autumn runs into January of the next year).
type season struct {
	name         string
	endMonth     time.Month
	endsNextYear bool
}

var seasons = []season{
	{"winter", time.February, false},
	{"spring", time.June, false},
	{"summer", time.August, false},
	{"autumn", time.January, true},
}

// TermOf names the term a start date falls in: January–February winter,
// March–June spring, July–August summer, September–December autumn. The
// day is Wuxi's, whatever zone startsOn is given in: 1 January 00:30 in
// Shanghai is still 31 December in UTC.
func TermOf(startsOn time.Time) string {
	startsOn = startsOn.In(CityZone)
	season := "autumn"
	switch m := startsOn.Month(); {
	case m <= time.February:
		season = "winter"
	case m <= time.June:
		season = "spring"
	case m <= time.August:
		season = "summer"
	}
	return fmt.Sprintf("%d-%s", startsOn.Year(), season)
}

func parseTerm(term string) (year, seasonIndex int, ok bool) {
	y, s, found := strings.Cut(term, "-")
	year, err := strconv.Atoi(y)
	if !found || err != nil || year < 2000 || year > 2200 {
		return 0, 0, false
	}
	idx := slices.IndexFunc(seasons, func(x season) bool { return x.name == s })
	return year, idx, idx >= 0
}

// ValidTerm reports whether term is "<year>-<season>".
func ValidTerm(term string) bool {
	_, _, ok := parseTerm(term)
	return ok
}

// TermEnds is the last day of a term, or false for a term not named as TermOf names them.
func TermEnds(term string) (time.Time, bool) {
	y, s, ok := parseTerm(term)
	if !ok {
		return time.Time{}, false
	}
	if seasons[s].endsNextYear {
		y++
	}
	firstOfNext := time.Date(y, seasons[s].endMonth+1, 1, 0, 0, 0, 0, CityZone)
	return firstOfNext.AddDate(0, 0, -1), true
}

// PreviousTerm is the term before term among the seasons a kind runs in
// (evening courses: spring and autumn), or false.
func PreviousTerm(term string, runsIn []string) (string, bool) {
	y, s, ok := parseTerm(term)
	if !ok || len(runsIn) == 0 {
		return "", false
	}
	for range len(seasons) {
		s--
		if s < 0 {
			s, y = len(seasons)-1, y-1
		}
		if slices.Contains(runsIn, seasons[s].name) {
			return fmt.Sprintf("%d-%s", y, seasons[s].name), true
		}
	}
	return "", false
}

// NextTerm is the term after term among the seasons a kind runs in, or false.
func NextTerm(term string, runsIn []string) (string, bool) {
	y, s, ok := parseTerm(term)
	if !ok || len(runsIn) == 0 {
		return "", false
	}
	for range len(seasons) {
		s++
		if s == len(seasons) {
			s, y = 0, y+1
		}
		if slices.Contains(runsIn, seasons[s].name) {
			return fmt.Sprintf("%d-%s", y, seasons[s].name), true
		}
	}
	return "", false
}
