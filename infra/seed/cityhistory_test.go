package seed

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/seed/seedtest"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// checkCityHistory reads the history back from the store, item by item,
// and checks it against itself and against today's offerings.
func checkCityHistory(t *testing.T, st *store.Store, sum Summary, now time.Time) {
	ctx := context.Background()
	today := cityfigures.Date(now)
	all, err := st.CityOfferings(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := st.Changes(ctx, ledgerFloor, today, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := st.Snapshots(ctx, ledgerFloor, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != sum.Changes || len(snaps) != sum.Snapshots || len(changes) == 0 || firstDate(changes) != sum.LedgerFrom {
		t.Errorf("store holds %d ledger entries from %s and %d snapshots, summary %+v", len(changes), firstDate(changes), len(snaps), sum)
	}
	var past []domain.Offering
	for _, o := range all {
		if pastID.MatchString(o.ID) {
			past = append(past, o)
		}
	}
	if len(past) != sum.PastOfferings || len(past) < 40 || len(past) > maxPast(now) {
		t.Errorf("%d past offerings (summary %d), want 40–%d", len(past), sum.PastOfferings, maxPast(now))
	}
	checkPast(t, past, now)
	checkLedger(t, changes, snaps, all, now)

	// What the city function reads today agrees with yesterday's snapshot
	// plus today's entries, in every scope.
	running, err := st.CityOfferings(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) > 0 {
		if last := snaps[len(snaps)-1]; last.Date != cityfigures.Date(now.AddDate(0, 0, -1)) {
			t.Errorf("last snapshot is of %s, want yesterday", last.Date)
		} else {
			count := cityfigures.Count(running, today)
			for _, s := range cityfigures.Scopes() {
				got := last.Tally[s].Capacity + sumDeltas(changes, s, func(c cityfigures.Change) bool { return c.Date == today })
				if got != count[s].Capacity {
					t.Errorf("%v: yesterday's snapshot and today's entries make %d places, today's offerings %d", s, got, count[s].Capacity)
				}
			}
			t.Logf("today: %+v", count[cityfigures.Scope{}])
		}
	}

	// Last year's target, its whole year in the ledger; and this year's
	// for 锡银学堂.
	want, senior := cityTarget(now), seniorTarget(now)
	targets, err := st.Targets(ctx)
	if err != nil || !slices.Equal(targets, []cityfigures.Target{want, senior}) || sum.Target != want || want.Baseline < day(historyStart(now)) {
		t.Fatalf("targets %+v, %v, summary %+v; want %+v and %+v, measured from the history's start", targets, err, sum.Target, want, senior)
	}
	// Set as an officer would, each one's first change the seed's.
	hist, err := st.TargetHistory(ctx, want.Key())
	if err != nil || len(hist) != 1 || hist[0].TargetValues != want.Values() || hist[0].ChangedBy != SeedActor ||
		!hist[0].ChangedAt.Equal(TargetSetAt(now)) || hist[0].Before != nil || hist[0].Key != want.Key() {
		t.Fatalf("target history %+v, %v; want one entry by %q at %s", hist, err, SeedActor, TargetSetAt(now))
	}
	if hist, err := st.TargetHistory(ctx, senior.Key()); err != nil || len(hist) != 1 || hist[0].TargetValues != senior.Values() ||
		hist[0].ChangedBy != SeedActor || hist[0].Before != nil {
		t.Fatalf("锡银学堂's target history %+v, %v; want one entry by %q", hist, err, SeedActor)
	}
	_, to := want.Window(today)
	window, err := st.Changes(ctx, want.Baseline, to, store.ChangeFilter{Kind: domain.Childcare})
	if err != nil {
		t.Fatal(err)
	}
	p := cityfigures.Measure(want, window, today)
	t.Logf("%s: achieved %d of %d (%.1f%%) in %d ledger entries", want.Title, p.Achieved, p.Target.Target, p.Progress*100, p.Changes)
	checkMeasure(t, p)
}

// checkMeasure: the target shows real growth over its year, a believable
// share of the target for 32 centres, neither nothing nor the target met.
func checkMeasure(t *testing.T, p cityfigures.Progress) {
	t.Helper()
	if p.Achieved <= 0 || p.Progress < 0.15 || p.Progress > 0.40 {
		t.Errorf("%d achieved %d of %d (%.1f%%), want 15–40%%", p.Target.Year, p.Achieved, p.Target.Target, p.Progress*100)
	}
}

// checkLedger: the ledger's entries are well formed, each belongs to an
// offering it describes, each offering's entries add up to what it counts
// today, and every snapshot's places are the ledger's sum to that day.
func checkLedger(t *testing.T, changes []cityfigures.Change, snaps []store.Snapshot, all []domain.Offering, now time.Time) {
	t.Helper()
	today := cityfigures.Date(now)
	byID := map[string]domain.Offering{}
	for _, o := range all {
		byID[o.ID] = o
	}
	per := map[string]int{}
	first := today
	for _, c := range changes {
		o, ok := byID[c.OfferingID]
		switch {
		case !ok:
			t.Errorf("ledger entry %+v: no such offering", c)
			continue
		case c.Kind != o.Kind || c.District != o.Centre.District || c.CentreID != o.Centre.ID || c.CentreName != o.Centre.Name ||
			c.OfferingTitle != o.Title || c.Term != o.Term:
			t.Errorf("ledger entry %+v does not describe %+v", c, o)
		case c.At.After(now) || c.Date != cityfigures.Date(c.At) || c.Delta != c.After-c.Before || c.Delta == 0:
			t.Errorf("ledger entry %+v: in the future, misdated or no change", c)
		case c.Reason == cityfigures.Published && c.Before != 0, c.Reason == cityfigures.Cancelled && c.After != 0,
			c.Reason == cityfigures.Ended && (c.After != 0 || c.Actor != cityfigures.SystemActor || c.Date <= o.EndsOn):
			t.Errorf("ledger entry %+v: not what a %s entry is", c, c.Reason)
		case c.Reason != cityfigures.Ended && c.Actor != staffOf(o.Centre.ID):
			t.Errorf("ledger entry %+v: by %s, not the centre's staff", c, c.Actor)
		}
		per[c.OfferingID] += c.Delta
		first = min(first, c.Date)
	}
	for _, o := range all {
		if per[o.ID] != cityfigures.Places(o, today) {
			t.Errorf("%s (%s, %d places, ends %s): its ledger entries add up to %d, it counts %d today",
				o.ID, o.Status, o.Capacity, o.EndsOn, per[o.ID], cityfigures.Places(o, today))
		}
	}
	if len(snaps) != historyDays {
		t.Fatalf("%d snapshots, want %d", len(snaps), historyDays)
	}
	start, _ := time.ParseInLocation(time.DateOnly, today, domain.CityZone)
	// The ledger's running sum per scope, day by day.
	byDate := slices.SortedStableFunc(slices.Values(changes), func(a, b cityfigures.Change) int { return strings.Compare(a.Date, b.Date) })
	sums := map[cityfigures.Scope]int{}
	next := 0
	for i, sn := range snaps {
		d := start.AddDate(0, 0, i-historyDays)
		if sn.Date != day(d) || !sn.TakenAt.Equal(at(d, 23).Add(55*time.Minute)) {
			t.Fatalf("snapshot %d is of %s taken %s, want %s at 23:55", i, sn.Date, sn.TakenAt, day(d))
		}
		for ; next < len(byDate) && byDate[next].Date <= sn.Date; next++ {
			for _, s := range cityfigures.Scopes() {
				sums[s] += sumDeltas(byDate[next:next+1], s, func(cityfigures.Change) bool { return true })
			}
		}
		for _, s := range cityfigures.Scopes() {
			if f := sn.Tally[s]; f.Capacity != sums[s] || f.Confirmed > f.Capacity || f.Waitlisted < 0 {
				t.Fatalf("%s %v: %+v; the ledger to that day sums to %d places", sn.Date, s, f, sums[s])
			}
		}
	}
	t.Logf("ledger: %d entries from %s; snapshots %s … %s", len(changes), first, snaps[0].Date, snaps[len(snaps)-1].Date)
}

func sumDeltas(cs []cityfigures.Change, s cityfigures.Scope, keep func(cityfigures.Change) bool) int {
	n := 0
	for _, c := range cs {
		if (s.Kind == "" || c.Kind == s.Kind) && (s.District == "" || c.District == s.District) && keep(c) {
			n += c.Delta
		}
	}
	return n
}

// checkPast: offerings of earlier terms look like the kind's current ones,
// at centres that offer the kind, booking over, counters that could be.
func checkPast(t *testing.T, past []domain.Offering, now time.Time) {
	t.Helper()
	byCentre := map[string]domain.Centre{}
	for _, c := range centres {
		byCentre[c.ID] = c
	}
	kinds := map[domain.Kind]int{}
	seen := map[string]bool{}
	for _, o := range past {
		kinds[o.Kind]++
		checkTypical(t, o)
		c := byCentre[o.Centre.ID]
		full := o.Confirmed == o.Capacity
		switch {
		case seen[o.ID]:
			t.Errorf("%s twice", o.ID)
		case !slices.Contains(c.Kinds, o.Kind) || c.Ref() != o.Centre:
			t.Errorf("%s (%s) at %+v", o.ID, o.Kind, o.Centre)
		case o.BookingClosesAt.After(now) || !o.BookingOpensAt.Before(o.BookingClosesAt):
			t.Errorf("%s: booking %s–%s, want over by now", o.ID, o.BookingOpensAt, o.BookingClosesAt)
		case o.Status == domain.OfferingCancelled && (o.Confirmed != 0 || o.Waitlisted != 0 || o.CancelReason == ""):
			t.Errorf("%s: cancelled with %d confirmed, %d waiting, reason %q", o.ID, o.Confirmed, o.Waitlisted, o.CancelReason)
		case o.Status != domain.OfferingCancelled && o.Status != domain.OfferingClosed:
			t.Errorf("%s is %s, want closed or cancelled", o.ID, o.Status)
		case o.Confirmed > o.Capacity || (o.Waitlisted > 0 && (!full || !o.WaitlistEnabled || o.EndsOn >= cityfigures.Date(now))) ||
			(o.FullAt != nil) != (full && o.Status == domain.OfferingClosed):
			t.Errorf("%s: %d/%d confirmed, %d waiting (waitlist %v), full at %v", o.ID, o.Confirmed, o.Capacity, o.Waitlisted, o.WaitlistEnabled, o.FullAt)
		}
		seen[o.ID] = true
	}
	for _, k := range domain.Kinds {
		if kinds[k] < 8 {
			t.Errorf("%d past offerings of %s, want ≥8", kinds[k], k)
		}
	}
}

// maxPast is how many offerings of earlier terms the history may hold at
// now: about 50 a year of ledger, a year begun counting whole. Every item
// slows every Query and transaction of the embedded server, which scans the
// table, so the history must not grow as the years pass.
func maxPast(now time.Time) int {
	years := math.Ceil(now.Sub(historyStart(now)).Hours() / 24 / 365)
	return 65 * int(years)
}

// TestCityHistoryOnAnyDay plans the history in memory for days across three
// years and on each of seedtest.Days: the demo's history must hold together
// whenever `make run` starts.
func TestCityHistoryOnAnyDay(t *testing.T) {
	t.Parallel()
	byID := map[string]domain.Centre{}
	for _, c := range centres {
		byID[c.ID] = c
	}
	var days []time.Time
	first := time.Date(2026, 1, 1, 9, 30, 0, 0, domain.CityZone)
	for d := 0; d < 3*365; d += 43 {
		days = append(days, first.AddDate(0, 0, d).Add(time.Duration(d%24)*time.Hour))
	}
	for _, d := range seedtest.Days {
		days = append(days, d.At)
	}
	for _, now := range days {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			t.Parallel()
			cal := newCalendar(now)
			current := currentAsBooked(cal, byID)
			h, err := planCityHistory(cal, current)
			if err != nil {
				t.Fatal(err)
			}
			all := append(slices.Clone(current), h.past...)
			checkPast(t, h.past, now)
			checkLedger(t, h.changes, h.snapshots, all, now)
			if len(h.past) > maxPast(now) {
				t.Errorf("%d past offerings since %s, want at most %d", len(h.past), day(h.start), maxPast(now))
			}
			// Every offering's state on every day of the history can be.
			for _, l := range h.lines {
				for _, sn := range h.snapshots {
					o, ok := l.on(sn.Date, sn.TakenAt)
					if ok && (o.Confirmed > o.Capacity || (o.Waitlisted > 0 && o.Confirmed < o.Capacity) || o.Confirmed < 0) {
						t.Fatalf("%s on %s: %d/%d confirmed, %d waiting", o.ID, sn.Date, o.Confirmed, o.Capacity, o.Waitlisted)
					}
				}
			}
			checkMeasure(t, cityfigures.Measure(cityTarget(now), h.changes, day(now)))
		})
	}
}

// TestCityHistoryWrittenOnce runs the step on a store holding the current
// offerings, then again three days later, in the next year: the second run
// must find the target, last year's for the first, and write nothing, not a
// second history shifted by three days.
func TestCityHistoryWrittenOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	byID := map[string]domain.Centre{}
	for _, c := range centres {
		byID[c.ID] = c
	}
	now := time.Date(2026, 12, 30, 21, 0, 0, 0, domain.CityZone)
	for _, o := range currentAsBooked(newCalendar(now), byID) {
		if err := st.PutOffering(ctx, o, true); err != nil {
			t.Fatal(err)
		}
	}
	run := func(at time.Time) [3]int {
		r := &runner{d: Deps{Store: st, Now: func() time.Time { return at }}, cal: newCalendar(at)}
		if err := r.cityHistory(ctx); err != nil {
			t.Fatal(err)
		}
		return [3]int{r.hist.past, r.hist.changes, r.hist.snapshots}
	}
	stored := func() [3]int {
		all, err := st.CityOfferings(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		cs, err := st.Changes(ctx, ledgerFloor, "2099-12-31", store.ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sns, err := st.Snapshots(ctx, ledgerFloor, "2099-12-31")
		if err != nil {
			t.Fatal(err)
		}
		return [3]int{len(all), len(cs), len(sns)}
	}
	first := run(now)
	before := stored()
	if later := run(now.AddDate(0, 0, 3)); later != first {
		t.Errorf("a later run reports %v (past offerings, ledger entries, snapshots), the first %v", later, first)
	}
	if after := stored(); after != before {
		t.Errorf("a later run changed the store: %v (offerings, ledger entries, snapshots), was %v", after, before)
	}
	if hist, err := st.TargetHistory(ctx, ""); err != nil || len(hist) != 2 {
		t.Errorf("target history after two runs: %+v, %v; want the first run's entry of each target (2)", hist, err)
	}
	if first[2] != historyDays || before[2] != historyDays || before[1] != first[1] {
		t.Errorf("first run %v, store %v: want %d snapshots and every entry stored", first, before, historyDays)
	}
}

// currentAsBooked is the current offerings as the seed leaves them, near
// enough for the history: counters from the planned bookings, the closed
// ones closed, PastCourse closed with six bookings.
func currentAsBooked(cal calendar, byID map[string]domain.Centre) []domain.Offering {
	var out []domain.Offering
	for _, s := range offerings {
		o := s.offering(byID[s.centre], cal)
		o.Confirmed = min(s.book-len(s.cancel), o.Capacity)
		if o.WaitlistEnabled {
			o.Waitlisted = max(0, s.book-len(s.cancel)-o.Capacity)
		}
		if o.Confirmed == o.Capacity {
			full := cal.now
			o.FullAt = &full
		}
		if s.state == closed {
			o.Status = domain.OfferingClosed
		}
		out = append(out, o)
	}
	pc := pastCourseOffering(byID[DemoStaffCentre], cal)
	pc.Status, pc.Confirmed = domain.OfferingClosed, 6
	return append(out, pc)
}
