package domain

import (
	"fmt"

	"github.com/wuxi-enrol/enrol/shared/apperr"
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

// NoShowBlocked is the refusal, with the day the block ends in the problem
// body as blocked_until.
func NoShowBlocked(until string, absences int) error {
	e := apperr.New(apperr.NoShowBlocked,
		fmt.Sprintf("上一期有 %d 次无故缺勤，%s 前不能报名此类项目", absences, until),
		fmt.Sprintf("%d unexcused absences last term: no bookings of this kind until %s", absences, until))
	e.Extra = map[string]any{"blocked_until": until}
	return e
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
