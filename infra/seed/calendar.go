package seed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// calendar holds every date the demo data uses, all derived from one "now",
// so the demo means the same on any day it is started: booking open now for
// terms a few weeks ahead (an evening term up to a few months ahead, as
// evening courses run only in spring and autumn), and last evening term's
// course over, its absences blocking a resident from the term on offer.
type calendar struct {
	now   time.Time
	today time.Time // midnight, city time
	// opened is when booking opened for the open offerings (a few days ago);
	// soon is when the not-yet-open one opens.
	opened, soon time.Time
	// childcareStart is the first of a month at least three weeks ahead.
	childcareStart time.Time
	// eveningStart is the Monday, four weeks ahead or more, that the
	// evening term's courses start in the week of; eveningTerm is its term.
	eveningStart time.Time
	eveningTerm  string
	// pastTerm is the evening term before eveningTerm, and pastSessions the
	// four weekly sessions of its course at the demo youth hub (PastCourse),
	// all before today.
	pastTerm     string
	pastSessions []time.Time
	holiday      holiday
}

// holiday is the next school holiday far enough ahead to book for, split
// into two periods (期) of care classes.
type holiday struct {
	name    string // 暑期 or 寒假
	term    string // e.g. 2027-summer
	periods [2]period
}

type period struct {
	start, end time.Time
	sessions   []string // weekdays only
}

// leadTime is how far ahead of now a seeded term starts at the earliest.
const leadTime = 21 * 24 * time.Hour

func newCalendar(now time.Time) calendar {
	now = now.In(domain.CityZone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.CityZone)
	c := calendar{
		now:    now,
		today:  today,
		opened: today.AddDate(0, 0, -3).Add(10 * time.Hour),
		soon:   today.AddDate(0, 0, 2).Add(10 * time.Hour),
	}
	earliest := today.Add(leadTime)

	c.childcareStart = time.Date(today.Year(), today.Month()+1, 1, 0, 0, 0, 0, domain.CityZone)
	if c.childcareStart.Before(earliest) {
		c.childcareStart = c.childcareStart.AddDate(0, 1, 0)
	}

	c.eveningStart, c.eveningTerm = nextEveningTerm(today)
	c.pastTerm, c.pastSessions = lastTermsCourse(today, c.eveningTerm)
	c.holiday = nextHoliday(earliest)
	return c
}

// eveningSeasons are the seasons evening courses run in (spring, autumn):
// the no-show rule's, so that last term's absences block the term on offer.
var eveningSeasons = domain.NoShowRules[domain.EveningCourse].Seasons

// nextEveningTerm is the first Monday four weeks or more after today that
// an evening term's courses can start in the week of: the whole week in a
// season evening courses run in, and the eight weekly sessions over by the
// term's end (autumn's runs into January). From about the second week of
// April to early August that is September's; from about the second week of
// November to the end of January, March's.
func nextEveningTerm(today time.Time) (time.Time, string) {
	m := onOrAfter(today.AddDate(0, 0, 28), time.Monday)
	for range 53 {
		term := termOf(m)
		_, season, _ := strings.Cut(term, "-")
		end, _ := domain.TermEnds(term)
		last := m.AddDate(0, 0, 6+7*(eveningSessions-1))
		if slices.Contains(eveningSeasons, season) && termOf(m.AddDate(0, 0, 6)) == term && !last.After(end) {
			return m, term
		}
		m = m.AddDate(0, 0, 7)
	}
	panic(fmt.Sprintf("seed: no evening term starts within a year of %s", day(today)))
}

// lastTermsCourse is the evening term before term and four weekly Tuesday
// sessions in it, the latest that were all over before today.
func lastTermsCourse(today time.Time, term string) (string, []time.Time) {
	past, ok := domain.PreviousTerm(term, eveningSeasons)
	if !ok {
		panic(fmt.Sprintf("seed: no evening term before %s", term))
	}
	end, _ := domain.TermEnds(past)
	last := today.AddDate(0, 0, -1)
	if end.Before(last) {
		last = end
	}
	last = last.AddDate(0, 0, -((int(last.Weekday()) - int(time.Tuesday) + 7) % 7)) // on or before: a Tuesday
	for range 53 {
		first := last.AddDate(0, 0, -21)
		if termOf(first) == past && termOf(last) == past {
			return past, []time.Time{first, first.AddDate(0, 0, 7), first.AddDate(0, 0, 14), last}
		}
		last = last.AddDate(0, 0, -7)
	}
	panic(fmt.Sprintf("seed: no four weeks of %s before %s", past, day(today)))
}

// nextHoliday picks the first winter or summer holiday starting on or after
// earliest. Summer care classes run two periods of three weeks from early
// July; winter ones two periods of one week from late January (the exact
// Spring Festival dates do not matter for demo data).
func nextHoliday(earliest time.Time) holiday {
	for y := earliest.Year(); ; y++ {
		winter := onOrAfter(time.Date(y, time.January, 19, 0, 0, 0, 0, domain.CityZone), time.Monday)
		if !winter.Before(earliest) {
			return makeHoliday("寒假", winter, 1)
		}
		summer := onOrAfter(time.Date(y, time.July, 6, 0, 0, 0, 0, domain.CityZone), time.Monday)
		if !summer.Before(earliest) {
			return makeHoliday("暑期", summer, 3)
		}
	}
}

func makeHoliday(name string, start time.Time, weeks int) holiday {
	h := holiday{name: name, term: termOf(start)}
	for i := range h.periods {
		first := start.AddDate(0, 0, 7*weeks*i)
		p := period{start: first, end: first.AddDate(0, 0, 7*(weeks-1)+4)}
		for d := p.start; !d.After(p.end); d = d.AddDate(0, 0, 1) {
			if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				p.sessions = append(p.sessions, day(d))
			}
		}
		h.periods[i] = p
	}
	return h
}

// termOf names the term a start date falls in, as the domain does.
func termOf(d time.Time) string { return domain.TermOf(d) }

func onOrAfter(d time.Time, wd time.Weekday) time.Time {
	return d.AddDate(0, 0, (int(wd)-int(d.Weekday())+7)%7)
}

// at is a clock time on date d's day, city time.
func at(d time.Time, hour int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, domain.CityZone)
}

func day(d time.Time) string { return d.Format(domain.DateLayout) }
