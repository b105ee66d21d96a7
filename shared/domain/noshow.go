package domain

import (
	"maps"
	"slices"
)

// NoShowRule blocks a person who missed too many sessions unexcused in one
// term from booking the same kind in the kind's next term.
type NoShowRule struct {
	MaxUnexcused int      `json:"max_unexcused_absences"`
	Seasons      []string `json:"term_seasons"`
}

// NoShowRules are the defaults per kind, copied into each new offering (and
// shown with it), so a centre's offering carries the rule it was booked under.
var NoShowRules = map[Kind]NoShowRule{
	EveningCourse: {MaxUnexcused: 2, Seasons: []string{"spring", "autumn"}},
	SeniorCourse:  {MaxUnexcused: 2, Seasons: []string{"spring", "autumn"}},
}

// BlockedTerm is the term that too many unexcused absences in o's term
// block, with the rule's limit; false when o has no rule.
func (o Offering) BlockedTerm() (term string, limit int, ok bool) {
	if o.NoShowRule == nil || o.NoShowRule.MaxUnexcused <= 0 {
		return "", 0, false
	}
	next, ok := NextTerm(o.Term, o.NoShowRule.Seasons)
	return next, o.NoShowRule.MaxUnexcused, ok
}

// AbsenceChange is what recording a day does to one person's record in the
// offering's kind and term: the session counted as an unexcused absence or
// no longer, and, under a no-show rule, the block on the next term set (at
// the new count) or lifted.
type AbsenceChange struct {
	Identity       string
	Count, Uncount bool
	// BlockTerm, when the offering has a no-show rule, is the term the
	// rule blocks; Block is the block the new count calls for there, or nil
	// to lift any.
	BlockTerm string
	Block     *NoShowBlock
	// Blocks: the new count reaches the rule's limit and the old did not,
	// so Block is newly set (its person is told); recording the same day
	// again never sets it twice.
	Blocks bool
	// Booking is the booking whose record this is (whose account is told).
	Booking Booking
}

// Changes reports whether c counts or uncounts an absence (a block newly
// set always comes with a count); a change that does neither rewrites
// what is stored as it is.
func (c AbsenceChange) Changes() bool { return c.Count || c.Uncount }

// NoShowBlock bars an identity from booking a kind until Until (the
// blocked term's last day), for Absences unexcused absences in BecauseOf.
type NoShowBlock struct {
	Until, BecauseOf string
	Absences         int
}

// Recorded are the identities of the bookings a day records (an erased
// participant's booking has none), whose counted absences the decision
// reads.
func Recorded(records map[string]AttendanceStatus, bookings map[string]Booking) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(records)) {
		if identity := bookings[id].Identity; identity != "" {
			out = append(out, identity)
		}
	}
	return out
}

// AbsenceChanges decides what recording a day of o changes: for each
// booking recorded (of bookings, by id; an erased participant's has no
// identity, and counts for no one), whether the
// session ("<offering>#<date>") starts or stops counting as an absence,
// given the sessions each identity had counted; and, when o has a no-show
// rule, the block on the kind's next term at the new count. Recording the
// same day again changes nothing further.
func (o Offering) AbsenceChanges(date string, records map[string]AttendanceStatus, bookings map[string]Booking, counted map[string][]string) []AbsenceChange {
	session := o.ID + "#" + date
	blocked, limit, ruled := o.BlockedTerm()
	until, _ := TermEnds(blocked)
	var out []AbsenceChange
	for _, id := range slices.Sorted(maps.Keys(records)) {
		identity := bookings[id].Identity
		if identity == "" {
			continue
		}
		had := counted[identity]
		was := slices.Contains(had, session)
		absent := records[id] == Absent
		c := AbsenceChange{Identity: identity, Count: absent && !was, Uncount: !absent && was, Booking: bookings[id]}
		n := len(had)
		if c.Count {
			n++
		}
		if c.Uncount {
			n--
		}
		if ruled {
			c.BlockTerm = blocked
			if n >= limit {
				c.Block = &NoShowBlock{Until: until.Format(DateLayout), BecauseOf: o.Term, Absences: n}
				c.Blocks = len(had) < limit
			}
		}
		out = append(out, c)
	}
	return out
}

// AttendanceStatus is a participant's presence at one session.
type AttendanceStatus string

// Attendance states; only "absent" counts as a no-show.
const (
	Present AttendanceStatus = "present"
	Absent  AttendanceStatus = "absent"
	Excused AttendanceStatus = "excused"
)

// Valid reports whether s is an attendance state.
func (s AttendanceStatus) Valid() bool { return s == Present || s == Absent || s == Excused }
