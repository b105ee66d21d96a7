package centrestaff_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Creating a lottery offering writes its draw record in the same write: a
// fresh secret, its commitment and the first round after the close; moving
// the window before it opens moves the round, after that it is refused.
func TestCreateLotteryWritesItsDraw(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, domain.CityZone)
	f := newFixture(t, now)
	b := beacon.Local{Schedule: beacon.Quicknet, Key: []byte("k"), Now: f.clock.now, URL: "http://127.0.0.1/_local/beacon/public"}
	in := func() domain.NewOffering {
		open, closes, draw := now.Add(24*time.Hour), now.Add(72*time.Hour), now.Add(73*time.Hour)
		return domain.NewOffering{Kind: domain.EveningCourse, Title: "摄影", StartsOn: "2026-12-07", EndsOn: "2026-12-21", Capacity: 30,
			Schedule:   domain.Schedule{Text: "周一", Sessions: []string{"2026-12-07", "2026-12-14"}},
			Allocation: domain.Lottery, ApplicationsOpenAt: &open, ApplicationsCloseAt: &closes, DrawAt: &draw, Status: domain.OfferingPublished}
	}
	if _, err := f.admin.Create(ctx, f.staff, f.c.ID, in()); !apperr.Is(err, apperr.Internal) {
		t.Fatalf("a lottery without a beacon: %v", err)
	}
	f.admin.Beacon = b
	o, err := f.admin.Create(ctx, f.staff, f.c.ID, in())
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.st.GetDraw(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != store.DrawCommitted || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(d.Secret) || d.Commitment != lottery.Commitment(d.Secret) ||
		d.BeaconSource != b.Source() || d.BeaconRound != b.RoundAfter(*o.ApplicationsCloseAt) {
		t.Fatalf("draw record: %+v", d)
	}
	if beacon.Quicknet.PublishedAt(d.BeaconRound).Before(*o.ApplicationsCloseAt) {
		t.Errorf("round %d is published before the close", d.BeaconRound)
	}
	other, err := f.admin.Create(ctx, f.staff, f.c.ID, in())
	if err != nil {
		t.Fatal(err)
	}
	if d2, _ := f.st.GetDraw(ctx, other.ID); d2.Secret == d.Secret {
		t.Error("two lotteries share a secret")
	}
	first := in()
	first.Allocation, first.ApplicationsOpenAt, first.ApplicationsCloseAt, first.DrawAt = "", nil, nil, nil
	fc, err := f.admin.Create(ctx, f.staff, f.c.ID, first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetDraw(ctx, fc.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a first-come offering has a draw: %v", err)
	}

	later, draw := o.ApplicationsCloseAt.Add(time.Hour), o.DrawAt.Add(2*time.Hour)
	moved, err := f.admin.Update(ctx, f.staff, o.ID, domain.Patch{ApplicationsCloseAt: &later, DrawAt: &draw, BookingOpensAt: &draw})
	if err != nil || !moved.ApplicationsCloseAt.Equal(later) {
		t.Fatalf("moving the window: %v", err)
	}
	if d, _ = f.st.GetDraw(ctx, o.ID); d.BeaconRound != b.RoundAfter(later) || !parse(d.DrawAt).Equal(draw) {
		t.Errorf("after the move: round %d (want %d), draw_at %s", d.BeaconRound, b.RoundAfter(later), d.DrawAt)
	}
	f.clock.t = o.ApplicationsOpenAt.Add(time.Minute)
	if _, err := f.admin.Update(ctx, f.staff, o.ID, domain.Patch{ApplicationsCloseAt: &later}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("moving the window once open: %v", err)
	}
}

func parse(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
