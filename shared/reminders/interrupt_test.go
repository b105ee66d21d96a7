package reminders_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/reminders"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRemindersInterruptedAtEveryStep: the day's reminders for three
// confirmed bookings (one write each), interrupted at each
// write call, before it is sent and after it landed with its answer lost;
// the job reports the failure, Lambda invokes the same event again, and
// every booking is reminded once, as by an uninterrupted run.
func TestRemindersInterruptedAtEveryStep(t *testing.T) {
	ctx := context.Background()
	cfg := dbtest.Config(t)
	st, ids, _ := dbtest.CustodyOn(t, cfg)
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if err := st.PutOffering(ctx, dbtest.Offering("starts", c, 10, now, func(o *domain.Offering) {
		o.Schedule.Sessions = []string{"2025-09-03", "2025-09-17"}
	}), false); err != nil {
		t.Fatal(err)
	}
	bk := &residents.Service{Store: st, Now: func() time.Time { return now }}
	for seq := 1; seq <= 3; seq++ {
		birth := time.Date(1995, 3, seq, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320202", birth, seq)}, fmt.Sprintf("acc-%d", seq), ids, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := bk.Book(ctx, residents.Request{Account: p.Account, OfferingID: "starts", ParticipantID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "reminders of 3", World: cfg,
		Start: dbtest.Again(func(ctx context.Context, st *store.Store) error {
			_, err := (&reminders.Service{Store: st}).Remind(ctx, at("2025-09-02"))
			return err
		}),
	})
}
