package retention_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/retention"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

func day(s string) time.Time {
	t, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t.Add(3*time.Hour + 30*time.Minute) // the schedule's 03:30
}

// TestRetention: a participant who never booked is erased 12 months after
// registering, one who booked 12 months after the end of the last offering
// booked (a later booking moves the day), not a day before; the job logs
// counts, never who; a second run the same day finds nothing. The job
// also releases the holds of ended offerings (shared/holds).
func TestRetention(t *testing.T) {
	st, h, _ := dbtest.Custody(t)
	ctx := context.Background()
	now := day("2025-08-01")
	clk := func() time.Time { return now }
	c := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	for id, ends := range map[string]string{"autumn": "2025-12-31", "spring": "2026-06-30"} {
		if err := st.PutOffering(ctx, dbtest.Offering(id, c, 10, now, func(o *domain.Offering) { o.EndsOn = ends }), false); err != nil {
			t.Fatal(err)
		}
	}
	register := func(seq int, name string) domain.Participant {
		birth := time.Date(1995, 3, seq, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: name, BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320202", birth, seq)}, "acct-1", h, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	never := register(1, "从未报名")
	booked := register(2, "报过两门")
	bk := &residents.Service{Store: st, Now: clk}
	for _, o := range []string{"spring", "autumn"} { // the later end first: the earlier must not pull it back
		if _, err := bk.Book(ctx, residents.Request{Account: "acct-1", OfferingID: o, ParticipantID: booked.ID}); err != nil {
			t.Fatal(err)
		}
	}

	var logs bytes.Buffer
	job := retention.New(lambdafn.Deps{Store: st, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Now: clk})
	exists := func(p domain.Participant) bool {
		_, err := st.GetParticipant(ctx, p.Account, p.ID)
		return err == nil
	}
	for _, step := range []struct {
		on            string
		never, booked bool // still there after the run
	}{
		{"2026-08-01", true, true},   // 12 months after registering: the last day kept
		{"2026-08-02", false, true},  // the day after
		{"2027-06-30", false, true},  // 12 months after the spring course ended
		{"2027-07-01", false, false}, // the day after
		{"2027-07-01", false, false}, // again: nothing more to do
	} {
		now = day(step.on)
		if err := job(ctx, now); err != nil {
			t.Fatalf("%s: %v", step.on, err)
		}
		if exists(never) != step.never || exists(booked) != step.booked {
			t.Errorf("%s: never booked there %v, booked there %v; want %v, %v", step.on, exists(never), exists(booked), step.never, step.booked)
		}
	}
	bs, err := st.ParticipantBookings(ctx, "acct-1", booked.ID)
	if err != nil || len(bs) != 0 {
		t.Errorf("bookings still carrying personal data: %v %v", bs, err)
	}
	for _, leak := range []string{never.Name, booked.Name, never.ID, booked.ID, never.Identity, "acct-1"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("the job's log names %q:\n%s", leak, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"erased":1`) {
		t.Errorf("the job's log does not count what it erased:\n%s", logs.String())
	}
	// Its first run, both offerings ended, released their holds.
	if !strings.Contains(logs.String(), `"msg":"holds released","date":"2026-08-01","offerings":2,"passed_over":0,"bookings":2,"released":2`) {
		t.Errorf("the job's log does not count the holds it released:\n%s", logs.String())
	}
}

// TestRetentionBounded: a run stops at its bound and says there is more;
// the next run takes the rest.
func TestRetentionBounded(t *testing.T) {
	st, h, _ := dbtest.Custody(t)
	ctx := context.Background()
	now := day("2025-08-01")
	for seq := 1; seq <= 3; seq++ {
		birth := time.Date(1995, 3, seq, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: "居民", BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320202", birth, seq)}, "acct-1", h, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	later := day("2026-09-01")
	e := retention.Service(lambdafn.Deps{Store: st, Now: func() time.Time { return later }})
	log := slog.New(slog.DiscardHandler)
	res, err := retention.RunAtMost(ctx, e, later, log, 2)
	if err != nil || res.Erased != 2 || !res.More {
		t.Fatalf("first run: %+v %v; want 2 erased and more to do", res, err)
	}
	res, err = retention.RunAtMost(ctx, e, later, log, 2)
	if err != nil || res.Erased != 1 || res.More {
		t.Fatalf("second run: %+v %v; want the last one erased", res, err)
	}
	if ps, _, _ := st.ListParticipants(ctx, "acct-1", paging.Page{Limit: 10}); len(ps) != 0 {
		t.Errorf("%d participants left", len(ps))
	}
}
