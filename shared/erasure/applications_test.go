package erasure_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/erasure"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Erasing a participant takes their application out of a draw still open
// (its entry and marker go, so the draw books no one erased) and deletes
// the application's record, which names them.
func TestEraseWithdrawsApplications(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.svc.Now()
	open, closes, draw := now.Add(-time.Hour), now.Add(24*time.Hour), now.Add(25*time.Hour)
	o := dbtest.Offering("lot", f.centre, 10, now, func(o *domain.Offering) {
		o.Allocation, o.OfferHours = domain.Lottery, 48
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt, o.BookingOpensAt = &open, &closes, &draw, draw
	})
	d, err := centrestaff.NewDraw(beacon.Local{Schedule: beacon.Quicknet, Key: []byte("k"), Now: f.svc.Now}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateOffering(ctx, o, store.Audit(o.Centre.ID, "staff", "offering.create", o.ID, nil, o, now), d); err != nil {
		t.Fatal(err)
	}
	p, other := f.person("acct-a", 1), f.person("acct-a", 2)
	for _, who := range []domain.Participant{p, other} {
		if _, err := f.svc.Booking.Apply(ctx, residents.ApplyRequest{Account: who.Account, OfferingID: o.ID, ParticipantID: who.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Refuse); err != nil {
		t.Fatal(err)
	}
	entries, err := f.st.ApplicationEntries(ctx, o.ID)
	if err != nil || len(entries) != 1 || entries[0].ParticipantID != other.ID {
		t.Errorf("the draw's entries after erasing one applicant: %+v %v", entries, err)
	}
	if f.raw("IDENTITY#"+p.Identity, "APPLIED#"+o.ID) != nil {
		t.Error("the erased person's application marker is still there")
	}
	as, _, err := f.st.ListApplications(ctx, "acct-a", paging.Page{Limit: 10})
	if err != nil || len(as) != 1 || as[0].ParticipantID != other.ID {
		t.Errorf("the account's applications: %+v %v", as, err)
	}
}
