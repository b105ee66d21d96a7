package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestLedgerRecordsEachChangeOnce: every write that changes places records
// the change in its own transaction, once; writes that change no places
// record nothing.
func TestLedgerRecordsEachChangeOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	now := time.Date(2025, 10, 10, 9, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "huishan")
	o := dbtest.Offering("o1", c, 30, now)
	draft := dbtest.Offering("o2", c, 20, now, func(o *domain.Offering) { o.Status = domain.OfferingDraft })
	audit := func(at time.Time) store.AuditEntry { return store.Audit(c.ID, "staff-1", "test", "o", nil, nil, at) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.CreateOffering(ctx, o, audit(now)))
	must(st.CreateOffering(ctx, draft, audit(now)))
	edit := func(before domain.Offering, at time.Time, change func(*domain.Offering)) domain.Offering {
		after := before
		change(&after)
		must(st.UpdateOffering(ctx, store.OfferingChange{Before: before, After: after, Audit: audit(at), Now: at}))
		return after
	}
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	o = edit(o, day(1), func(o *domain.Offering) { o.Capacity = 36 })
	o = edit(o, day(2), func(o *domain.Offering) { o.Title = "新标题" })
	o = edit(o, day(3), func(o *domain.Offering) { o.Status = domain.OfferingClosed })
	draft = edit(draft, day(4), func(o *domain.Offering) { o.Capacity = 25 })
	edit(draft, day(5), func(o *domain.Offering) { o.Status = domain.OfferingPublished })
	o = edit(o, day(6), func(o *domain.Offering) { o.Capacity = 32 })
	edit(o, day(7), func(o *domain.Offering) { o.Status = domain.OfferingCancelled })

	got, err := st.Changes(ctx, "2025-10-01", "2025-10-31", store.ChangeFilter{})
	must(err)
	want := []struct {
		offering string
		reason   cityfigures.Reason
		delta    int
		date     string
	}{
		{"o1", cityfigures.Published, 30, "2025-10-10"},
		{"o1", cityfigures.CapacityRaised, 6, "2025-10-11"},
		{"o2", cityfigures.Published, 25, "2025-10-15"},
		{"o1", cityfigures.CapacityCut, -4, "2025-10-16"},
		{"o1", cityfigures.Cancelled, -32, "2025-10-17"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.OfferingID != w.offering || g.Reason != w.reason || g.Delta != w.delta || g.Date != w.date ||
			g.Actor != "staff-1" || g.District != "huishan" || g.CentreID != "c1" || g.Kind != domain.EveningCourse {
			t.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	// Date range and filters are key ranges and filters on the same read.
	tests := []struct {
		from, to string
		f        store.ChangeFilter
		n        int
	}{
		{"2025-10-11", "2025-10-15", store.ChangeFilter{}, 2},
		{"2025-10-01", "2025-10-31", store.ChangeFilter{District: "binhu"}, 0},
		{"2025-10-01", "2025-10-31", store.ChangeFilter{Kind: domain.EveningCourse, District: "huishan"}, 5},
		{"2025-10-01", "2025-10-31", store.ChangeFilter{Kind: domain.Childcare}, 0},
		{"2025-10-17", "2025-10-17", store.ChangeFilter{}, 1},
	}
	for _, tt := range tests {
		cs, err := st.Changes(ctx, tt.from, tt.to, tt.f)
		must(err)
		if len(cs) != tt.n {
			t.Errorf("%s..%s %+v: %d entries, want %d", tt.from, tt.to, tt.f, len(cs), tt.n)
		}
	}
	// Paging two at a time gives the same entries in the same order.
	var paged []cityfigures.Change
	cursor := ""
	for range 10 {
		items, next, err := st.ListChanges(ctx, "2025-10-01", "2025-10-31", store.ChangeFilter{Kind: domain.EveningCourse}, paging.Page{Limit: 2, Cursor: cursor})
		must(err)
		paged = append(paged, items...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(got) {
		t.Errorf("paged\n%v\nwant\n%v", paged, got)
	}
}

// TestCityOfferingsReadsOnlyRunning: the city index serves the offerings
// whose last day is not past, by kind.
func TestCityOfferingsReadsOnlyRunning(t *testing.T) {
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	c := dbtest.Centre("c1", "binhu")
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, domain.CityZone)
	put := func(id string, k domain.Kind, ends string) {
		o := dbtest.Offering(id, c, 10, now, func(o *domain.Offering) { o.Kind, o.EndsOn = k, ends })
		if err := st.PutOffering(ctx, o, false); err != nil {
			t.Fatal(err)
		}
	}
	put("past", domain.EveningCourse, "2025-06-30")
	put("last-day", domain.EveningCourse, "2025-07-01")
	put("running", domain.Childcare, "2026-08-31")
	put("later", domain.CareClass, "2026-01-20")
	tests := []struct {
		kinds []domain.Kind
		want  string
	}{
		{nil, "[running later last-day]"}, // kind by kind, as domain.Kinds lists them
		{[]domain.Kind{domain.EveningCourse}, "[last-day]"},
		{[]domain.Kind{domain.Childcare, domain.CareClass}, "[running later]"},
	}
	for _, tt := range tests {
		os, err := st.CityOfferings(ctx, "2025-07-01", tt.kinds...)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range os {
			ids = append(ids, o.ID)
		}
		if fmt.Sprint(ids) != tt.want {
			t.Errorf("%v: %v, want %s", tt.kinds, ids, tt.want)
		}
	}
}

func TestSnapshotsAndTargets(t *testing.T) {
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	if sn, err := st.LatestSnapshot(ctx); err != nil || sn != nil {
		t.Fatalf("before any: %v %v", sn, err)
	}
	c := dbtest.Centre("c1", "binhu")
	o := dbtest.Offering("o1", c, 30, time.Date(2026, 11, 1, 9, 0, 0, 0, domain.CityZone), func(o *domain.Offering) { o.Confirmed, o.Waitlisted, o.EndsOn = 30, 4, "2030-01-01" })
	var sns []store.Snapshot
	for d := 1; d <= 30; d++ {
		date := fmt.Sprintf("2026-11-%02d", d)
		o.Capacity = 30 + d
		sns = append(sns, store.Snapshot{Date: date, TakenAt: time.Date(2026, 11, d, 23, 55, 0, 0, domain.CityZone), Tally: cityfigures.Count([]domain.Offering{o}, date)})
	}
	if err := st.PutSnapshots(ctx, sns[:29]); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSnapshot(ctx, sns[29]); err != nil {
		t.Fatal(err)
	}
	got, err := st.Snapshots(ctx, "2026-11-05", "2026-11-07")
	if err != nil || len(got) != 3 || got[0].Date != "2026-11-05" || got[2].Date != "2026-11-07" {
		t.Fatalf("%v %v", got, err)
	}
	want := cityfigures.Figures{Capacity: 35, Confirmed: 30, Waitlisted: 4, Centres: 1, Offerings: 1}
	if f := got[0].Tally[cityfigures.Scope{Kind: domain.EveningCourse, District: "binhu"}]; f != want || len(got[0].Tally) != len(cityfigures.Scopes()) {
		t.Errorf("read back %+v (%d scopes), want %+v", f, len(got[0].Tally), want)
	}
	if latest, err := st.LatestSnapshot(ctx); err != nil || latest.Date != "2026-11-30" || latest.Tally[cityfigures.Scope{}].Capacity != 60 {
		t.Errorf("latest %+v %v", latest, err)
	}

	tg := cityfigures.Target{Kind: domain.Childcare, Year: 2025, Metric: cityfigures.NewPlaces, Target: 2500, Baseline: "2025-01-01", Title: "t"}
	if err := st.PutTarget(ctx, tg, true); err != nil {
		t.Fatal(err)
	}
	changed := tg
	changed.Target = 1
	if err := st.PutTarget(ctx, changed, true); err != nil {
		t.Fatal(err)
	}
	if ts, err := st.Targets(ctx); err != nil || len(ts) != 1 || ts[0] != tg {
		t.Errorf("targets %+v %v", ts, err)
	}
	if err := st.PutTarget(ctx, cityfigures.Target{Kind: "x"}, false); err == nil {
		t.Error("an invalid target was stored")
	}
}
