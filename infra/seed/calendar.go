package seed

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// calendar holds every date the demo data uses, all derived from one "now",
// so the demo means the same on any day it is started: booking open now for
// terms a few weeks ahead.
type calendar struct {
	now   time.Time
	today time.Time // midnight, city time
	// opened is when booking opened for the open offerings (a few days ago);
	// soon is when the not-yet-open one opens.
	opened, soon time.Time
	// childcareStart is the first of a month at least three weeks ahead.
	childcareStart time.Time
	// eveningStart is the Monday four to five weeks ahead that the evening
	// term starts; eveningTerm is its term name.
	eveningStart time.Time
	eveningTerm  string
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

	c.eveningStart = onOrAfter(today.AddDate(0, 0, 28), time.Monday)
	c.eveningTerm = termOf(c.eveningStart)
	c.holiday = nextHoliday(earliest)
	return c
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
