package residents_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRefusalsNameNothing: when a person's bookings in one account stop
// another account booking the same person (same ID number), the refusal
// names no offering, centre or account, and reads exactly as the holder's
// own refusal does, so a borrowed number learns nothing more than the
// owner's own account would be told.
func TestRefusalsNameNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	limit := func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 1 }
	f.offering("held", 5, limit)
	f.offering("second", 5, limit)
	rule := domain.NoShowRules[domain.EveningCourse]
	past := f.offering("past", 5, func(o *domain.Offering) { o.Term, o.NoShowRule = "2025-spring", &rule })

	const owner, borrower = "acc-owner", "acc-borrower"
	mustBook := func(p domain.Participant, offering string) domain.Booking {
		t.Helper()
		b, err := f.book(p, offering, false)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// One person per refusal, each registered in both accounts.
	dup, dupB := f.person(owner, 1), f.person(borrower, 1)
	mustBook(dup, "held")
	lim, limB := f.person(owner, 2), f.person(borrower, 2)
	mustBook(lim, "held")
	noShow, noShowB := f.person(owner, 3), f.person(borrower, 3)
	missed := mustBook(noShow, "past")
	for _, date := range past.Schedule.Sessions { // two unexcused absences block the next term
		day := store.AttendanceDay{Date: date, Records: map[string]domain.AttendanceStatus{missed.ID: domain.Absent}, UpdatedBy: "staff", UpdatedAt: f.now}
		counted, err := f.st.CountedAbsences(ctx, past, []string{missed.Identity})
		if err != nil {
			t.Fatal(err)
		}
		changes := past.AbsenceChanges(date, day.Records, map[string]domain.Booking{missed.ID: missed}, counted)
		if err := f.st.PutAttendanceDay(ctx, past, day, changes, store.Audit(f.centre.ID, "staff", "attendance.record", past.ID, nil, nil, f.now)); err != nil {
			t.Fatal(err)
		}
	}

	secrets := []string{"held", "past", owner, f.centre.ID, f.centre.Name, "测试课程"}
	cases := []struct {
		name          string
		own, borrowed domain.Participant
		offering      string
		want          apperr.Code
	}{
		{"already booked", dup, dupB, "held", apperr.AlreadyBooked},
		{"term limit", lim, limB, "second", apperr.TermLimitReached},
		{"no-show block", noShow, noShowB, "second", apperr.NoShowBlocked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ownErr := f.book(c.own, c.offering, false)
			_, borrowedErr := f.book(c.borrowed, c.offering, false)
			o, ok1 := ownErr.(*apperr.Error)
			b, ok2 := borrowedErr.(*apperr.Error)
			if !ok1 || !ok2 || o.Code != c.want || b.Code != c.want {
				t.Fatalf("own account: %v; other account: %v; want %s for both", ownErr, borrowedErr, c.want)
			}
			if o.Text != b.Text || !reflect.DeepEqual(o.Extra, b.Extra) || !reflect.DeepEqual(o.Fields, b.Fields) {
				t.Errorf("the accounts are told differently:\n own   %+v %v\n other %+v %v", o.Text, o.Extra, b.Text, b.Extra)
			}
			for _, s := range secrets {
				if strings.Contains(b.Text.ZH+" "+b.Text.EN, s) || strings.Contains(strings.ToLower(b.Text.EN), strings.ToLower(s)) {
					t.Errorf("the other account's refusal names %q: %+v", s, b.Text)
				}
			}
			for k, v := range b.Extra {
				if s, ok := v.(string); ok && (strings.Contains(s, "held") || strings.Contains(s, owner)) {
					t.Errorf("the refusal's %s names %q", k, s)
				}
			}
		})
	}
}
