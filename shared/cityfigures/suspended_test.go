package cityfigures

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestSuspendedCentre: a suspended centre's offering counts no places
// (Places 0, its capacity in SuspendedPlaces) but its bookings still count;
// flagging and clearing are ledger changes of their own reasons; an edit
// while suspended changes no places; it ends with nothing to take out.
func TestSuspendedCentre(t *testing.T) {
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, domain.CityZone)
	o := offering("o1", domain.Childcare, "liangxi", "c1", domain.OfferingPublished, 20, 12, 3)
	s := o
	s.CentreSuspended = true
	if Places(s, "2026-10-01") != 0 || Places(o, "2026-10-01") != 20 {
		t.Fatalf("places %d / %d", Places(s, "2026-10-01"), Places(o, "2026-10-01"))
	}
	for _, tc := range []struct {
		name          string
		before, after domain.Offering
		reason        Reason
		delta         int
		ok            bool
	}{
		{"suspended", o, s, CentreSuspended, -20, true},
		{"reinstated", s, o, CentreReinstated, 20, true},
		{"capacity raised while suspended", s, func() domain.Offering { x := s; x.Capacity = 30; return x }(), "", 0, false},
		{"cancelled while suspended", s, func() domain.Offering { x := s; x.Status = domain.OfferingCancelled; return x }(), "", 0, false},
		{"a draft flagged", func() domain.Offering { x := o; x.Status = domain.OfferingDraft; return x }(),
			func() domain.Offering { x := s; x.Status = domain.OfferingDraft; return x }(), "", 0, false},
	} {
		c, ok := ChangeOf(tc.before, tc.after, "officer", at)
		if ok != tc.ok || c.Reason != tc.reason || c.Delta != tc.delta {
			t.Errorf("%s: %+v %v; want %q %d %v", tc.name, c, ok, tc.reason, tc.delta, tc.ok)
		}
	}
	if c, ok := EndOf(s); ok {
		t.Fatalf("a suspended offering ended: %+v (its places left when it was suspended)", c)
	}
	other := offering("o2", domain.Childcare, "liangxi", "c2", domain.OfferingPublished, 10, 4, 0)
	tally := Count([]domain.Offering{s, other}, "2026-10-01")
	want := Figures{Capacity: 10, Confirmed: 16, Waitlisted: 3, Centres: 1, Offerings: 1, SuspendedCentres: 1, SuspendedPlaces: 20}
	for _, scope := range []Scope{{}, {Kind: domain.Childcare}, {District: "liangxi"}, {domain.Childcare, "liangxi"}} {
		if got := tally[scope]; got != want {
			t.Errorf("%+v: %+v, want %+v", scope, got, want)
		}
	}
	if got := tally[Scope{District: "xishan"}]; got != (Figures{}) {
		t.Errorf("xishan: %+v", got)
	}
}
