package offers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/offers"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// TestJobExpiresAndLogsCounts: run at an offer's deadline the job expires
// it (the next in line is offered the place), then warns the new offer,
// then does nothing more; each run logs what it did in counts, never whom.
func TestJobExpiresAndLogsCounts(t *testing.T) {
	ctx := context.Background()
	st, ids, _ := dbtest.Custody(t)
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if err := st.PutOffering(ctx, dbtest.Offering("o1", c, 1, now, func(o *domain.Offering) { o.OfferHours = 2 }), false); err != nil {
		t.Fatal(err)
	}
	svc := &residents.Service{Store: st, Now: func() time.Time { return now }}
	var booked []domain.Booking
	for i, account := range []string{"acct-first", "acct-second", "acct-third"} {
		birth := time.Date(1995, 3, 1+i, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320202", birth, i+1)}, account, ids, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		r, err := svc.Book(ctx, residents.Request{Account: account, OfferingID: "o1", ParticipantID: p.ID, JoinWaitlist: true})
		if err != nil {
			t.Fatal(err)
		}
		booked = append(booked, r.Booking)
	}
	if _, err := svc.Cancel(ctx, "acct-first", booked[0].ID); err != nil { // the second is offered the place for 2 h
		t.Fatal(err)
	}
	var logs bytes.Buffer
	job := offers.New(lambdafn.Deps{Store: st, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Now: func() time.Time { return now }})
	run := now.Add(2 * time.Hour)
	// The first run expires the second's offer and offers the third the
	// place, due within six hours: the next run warns it; a third, nothing.
	for i, want := range []struct{ read, expired, warned float64 }{{1, 1, 0}, {1, 0, 1}, {1, 0, 0}} {
		logs.Reset()
		if err := job(ctx, run); err != nil {
			t.Fatal(err)
		}
		var line map[string]any
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("run %d: %v in %s", i, err, logs.String())
		}
		if line["msg"] != "offers" || line["read"] != want.read || line["expired"] != want.expired || line["warned"] != want.warned {
			t.Errorf("run %d logged %s", i, logs.String())
		}
		if strings.Contains(logs.String(), "acct-") {
			t.Errorf("the log names an account: %s", logs.String())
		}
	}
	for account, want := range map[string]domain.BookingStatus{"acct-second": domain.BookingExpired, "acct-third": domain.BookingOffered} {
		i := map[string]int{"acct-second": 1, "acct-third": 2}[account]
		if b, err := st.GetBooking(ctx, account, booked[i].ID); err != nil || b.Status != want {
			t.Fatalf("%s: %s, %v; want %s", account, b.Status, err, want)
		}
	}
}
