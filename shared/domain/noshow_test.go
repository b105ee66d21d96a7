package domain

import (
	"reflect"
	"testing"
)

// TestAbsenceChanges: a session counts once as an absence, stops counting
// when corrected, and under a no-show rule the block on the next term
// follows the new count, newly set (Blocks: its person is told) only when
// the count first reaches the limit; an erased participant's booking counts
// for no one.
func TestAbsenceChanges(t *testing.T) {
	ruled := Offering{ID: "o1", Kind: EveningCourse, Term: "2025-autumn", NoShowRule: &NoShowRule{MaxUnexcused: 2, Seasons: []string{"spring", "autumn"}}}
	unruled := Offering{ID: "o1", Kind: EveningCourse, Term: "2025-autumn"}
	const day = "2025-09-08"
	session := "o1#" + day
	b1 := Booking{ID: "b1", Account: "acc", Identity: "id"}
	block := func(n int) *NoShowBlock {
		return &NoShowBlock{Until: "2026-06-30", BecauseOf: "2025-autumn", Absences: n}
	}
	cases := []struct {
		name    string
		o       Offering
		status  AttendanceStatus
		counted []string
		want    AbsenceChange
	}{
		{"first absence, below the limit", ruled, Absent, nil,
			AbsenceChange{Identity: "id", Booking: b1, Count: true, BlockTerm: "2026-spring"}},
		{"second absence reaches the limit", ruled, Absent, []string{"o1#2025-09-01"},
			AbsenceChange{Identity: "id", Booking: b1, Count: true, BlockTerm: "2026-spring", Block: block(2), Blocks: true}},
		{"a third absence keeps the block, not anew", ruled, Absent, []string{"o1#2025-09-01", "o1#2025-09-02"},
			AbsenceChange{Identity: "id", Booking: b1, Count: true, BlockTerm: "2026-spring", Block: block(3)}},
		{"the same day sent again counts once", ruled, Absent, []string{"o1#2025-09-01", session},
			AbsenceChange{Identity: "id", Booking: b1, BlockTerm: "2026-spring", Block: block(2)}},
		{"corrected to excused lifts the block", ruled, Excused, []string{"o1#2025-09-01", session},
			AbsenceChange{Identity: "id", Booking: b1, Uncount: true, BlockTerm: "2026-spring"}},
		{"present, never counted", ruled, Present, nil,
			AbsenceChange{Identity: "id", Booking: b1, BlockTerm: "2026-spring"}},
		{"no rule: counted, never blocked", unruled, Absent, []string{"o1#2025-09-01", "o1#2025-09-02"},
			AbsenceChange{Identity: "id", Booking: b1, Count: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.o.AbsenceChanges(day, map[string]AttendanceStatus{"b1": c.status}, map[string]Booking{"b1": b1}, map[string][]string{"id": c.counted})
			if len(got) != 1 || !reflect.DeepEqual(got[0], c.want) {
				t.Fatalf("got %+v (block %+v)\nwant %+v (block %+v)", got, got[0].Block, c.want, c.want.Block)
			}
		})
	}
	if got := ruled.AbsenceChanges(day, map[string]AttendanceStatus{"erased": Absent}, map[string]Booking{"erased": {Erased: true}}, nil); len(got) != 0 {
		t.Fatalf("an erased participant's absence: %+v", got)
	}
}
