package seed

import (
	"context"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/seed/seedtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// plainIdentities stands in for KMS where the plan is checked in memory
// over thousands of days: the identity is the number itself, which only
// those checks ever see. Run seeds through the KMS stand-in.
type plainIdentities struct{}

func (plainIdentities) Identify(_ context.Context, number string) (string, error) {
	return idnumber.Normalize(number), nil
}

// TestRun seeds a store today, and again a week later, which must change
// nothing, and checks what it holds. Other days cost a seeded store each:
// the calendar and the plan are checked in memory for every day of three
// years (TestPlanOnAnyDay), the history on seedtest.Days
// (TestCityHistoryOnAnyDay), and a seeded stack at each of seedtest.Days
// end to end (TestAnyDay in infra/local).
func TestRun(t *testing.T) {
	run(t, clock.From(seedtest.Today().At))
}

// run seeds one store at now, and again a week later, and checks it.
func run(t *testing.T, now func() time.Time) {
	ctx := context.Background()
	st, ids, _ := dbtest.Custody(t)
	svc := &residents.Service{Store: st, Now: now}
	var lines []string
	d := Deps{Store: st, Booking: svc, Identities: ids, Now: now, Beacon: beacon.Local{Schedule: beacon.Quicknet, Key: []byte("k"), Now: now},
		Progress: func(format string, args ...any) { lines = append(lines, format) }}

	t0 := time.Now()
	first, err := Run(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first run: %s, %+v", time.Since(t0).Round(time.Millisecond), first)
	if len(lines) < 4 {
		t.Errorf("progress lines = %q, want one per step", lines)
	}
	runAgain(t, d, first)

	t.Run("summary", func(t *testing.T) {
		if first.Centres < 30 || first.Offerings < 60 || first.Participants < 60 || first.Participants > 150 {
			t.Errorf("summary %+v: want ≥30 centres, ≥60 offerings, 60–150 participants", first)
		}
		if first.Bookings == 0 || first.Bookings > 400 || first.Confirmed+first.Waitlisted > first.Bookings {
			t.Errorf("summary %+v: want 1–400 bookings", first)
		}
		if first.PastOfferings == 0 || first.Changes < first.Offerings || first.Snapshots != historyDays {
			t.Errorf("summary %+v: want past offerings, a ledger entry per offering at least, %d snapshots", first, historyDays)
		}
	})
	t.Run("city history", func(t *testing.T) { checkCityHistory(t, st, first, now()) })
	t.Run("centres", func(t *testing.T) { checkCentres(t, st) })
	t.Run("a centre joining", func(t *testing.T) { checkJoining(t, st) })
	t.Run("offerings", func(t *testing.T) { checkOfferings(t, st, now()) })
	t.Run("counters agree with bookings", func(t *testing.T) { checkBookings(t, st, svc, first, now()) })
	t.Run("catalogue", func(t *testing.T) { checkCatalogue(t, st) })
	t.Run("last term", func(t *testing.T) { checkLastTerm(t, st, first, now()) })
	t.Run("priority policies", func(t *testing.T) { checkPolicies(t, st, now()) })
	// Last, as it books: the flow `make run` prints must work.
	t.Run("demo resident", func(t *testing.T) { checkDemo(t, st, svc, first) })
}

// runAgain runs the seed on d's store a week after d's clock, as a restart
// of the demo might be: it must find everything and write nothing, the
// city's history included, and report what the first run did.
func runAgain(t *testing.T, d Deps, first Summary) {
	t.Helper()
	before := counters(t, d.Store)
	ledger, snaps := historyCounts(t, d.Store)
	now := d.Now
	later := func() time.Time { return now().AddDate(0, 0, 8) }
	d.Now, d.Booking = later, &residents.Service{Store: d.Store, Now: later}
	t0 := time.Now()
	second, err := Run(context.Background(), d)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	t.Logf("second run: %s", time.Since(t0).Round(time.Millisecond))
	if second != first {
		t.Errorf("second run's summary %+v, first %+v", second, first)
	}
	if after := counters(t, d.Store); !slices.Equal(after, before) {
		t.Errorf("second run changed offering counters:\n%v\n%v", before, after)
	}
	if l, s := historyCounts(t, d.Store); l != ledger || s != snaps {
		t.Errorf("second run changed the city's history: %d ledger entries and %d snapshots, were %d and %d", l, s, ledger, snaps)
	}
}

type counter struct {
	id                              string
	capacity, confirmed, waitlisted int
	status                          domain.OfferingStatus
}

// counters reads every seeded offering's counters and status.
func counters(t *testing.T, st *store.Store) []counter {
	t.Helper()
	var out []counter
	for _, s := range offerings {
		o, err := st.GetOffering(context.Background(), s.id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, counter{o.ID, o.Capacity, o.Confirmed, o.Waitlisted, o.Status})
	}
	return out
}

// historyCounts counts the ledger entries and snapshots the store holds,
// future days' included.
func historyCounts(t *testing.T, st *store.Store) (ledger, snapshots int) {
	t.Helper()
	const last = "2099-12-31"
	cs, err := st.Changes(context.Background(), ledgerFloor, last, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sns, err := st.Snapshots(context.Background(), ledgerFloor, last)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs), len(sns)
}

var phone = regexp.MustCompile(`^0510-8\d{7}$`)

func checkCentres(t *testing.T, st *store.Store) {
	cs, next, err := st.ListCentres(context.Background(), "", paging.Page{Limit: 200})
	if err != nil || next != "" {
		t.Fatalf("ListCentres: %v (next %q)", err, next)
	}
	if len(cs) < 30 {
		t.Errorf("%d centres, want ≥30", len(cs))
	}
	per := map[domain.District]int{}
	for _, c := range cs {
		per[c.District]++
		if !phone.MatchString(c.Phone) || c.Address == "" || len(c.Kinds) == 0 {
			t.Errorf("centre %+v: want a 0510-8xxxxxxx phone, an address and kinds", c)
		}
	}
	for _, dist := range domain.Districts {
		if per[dist] < 4 {
			t.Errorf("district %s has %d centres, want ≥4", dist, per[dist])
		}
	}
}

// checkJoining: one centre is a draft (registered by its district's
// officer, not in the public list), with a draft offering and its director
// on its staff; after a second run still one of each.
func checkJoining(t *testing.T, st *store.Store) {
	ctx := context.Background()
	c, err := st.GetCentre(ctx, DemoJoiningCentre)
	if err != nil || c.Status != domain.CentreDraft || c.LicenceNo == "" || c.Location == nil || c.District != "xinwu" {
		t.Fatalf("joining centre %+v %v: want a draft in xinwu with licence and location", c, err)
	}
	public, _, err := st.ListPublicCentres(ctx, "xinwu", paging.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range public {
		if p.ID == DemoJoiningCentre {
			t.Errorf("the draft centre is in the public list")
		}
	}
	o, err := st.GetOffering(ctx, demoJoiningOffering)
	if err != nil || o.Status != domain.OfferingDraft || o.Centre.ID != DemoJoiningCentre {
		t.Errorf("joining offering %+v %v: want a draft of the joining centre", o, err)
	}
	staff, _, err := st.ListStaff(ctx, DemoJoiningCentre, paging.Page{Limit: 10})
	if err != nil || len(staff) != 1 || staff[0].UserID != DemoJoiningStaff || staff[0].AddedBy != DemoDistrictOfficer("xinwu") {
		t.Errorf("joining centre's staff %+v %v: want its director, added by xinwu's officer", staff, err)
	}
	audit, _, err := st.ListAudit(ctx, DemoJoiningCentre, paging.Page{Limit: 10})
	if err != nil || len(audit) != 2 {
		t.Errorf("joining centre's audit %+v %v: want its registration and its director's invitation, once each", audit, err)
	}
}

func checkOfferings(t *testing.T, st *store.Store, now time.Time) {
	ctx := context.Background()
	kinds := map[domain.Kind]int{}
	states := map[state]int{}
	plenty := 0
	for _, s := range offerings {
		o, err := st.GetOffering(ctx, s.id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.GetCentre(ctx, o.Centre.ID)
		if err != nil {
			t.Fatalf("%s: centre: %v", o.ID, err)
		}
		kinds[o.Kind]++
		states[s.state]++
		if !slices.Contains(c.Kinds, o.Kind) {
			t.Errorf("%s is %s but its centre offers %v", o.ID, o.Kind, c.Kinds)
		}
		checkTypical(t, o)
		isOpen := !now.Before(o.BookingOpensAt) && now.Before(o.BookingClosesAt)
		switch s.state {
		case open:
			if o.Status != domain.OfferingPublished || !isOpen {
				t.Errorf("%s: want published and open now, got %s, %s–%s", o.ID, o.Status, o.BookingOpensAt, o.BookingClosesAt)
			}
			if o.Available() >= o.Capacity/2 {
				plenty++
			}
		case nearlyFull:
			if o.Status != domain.OfferingPublished || !isOpen || o.Available() < 1 || o.Available() > 2 || o.Waitlisted != 0 {
				t.Errorf("%s: want open with 1–2 places left, got %+v", o.ID, o)
			}
		case full:
			if o.Status != domain.OfferingPublished || !isOpen || o.Confirmed != o.Capacity || o.Waitlisted < 3 || !o.WaitlistEnabled {
				t.Errorf("%s: want open, full, ≥3 waiting, got %d/%d, %d waiting", o.ID, o.Confirmed, o.Capacity, o.Waitlisted)
			}
		case notYetOpen:
			if o.Status != domain.OfferingPublished || !o.BookingOpensAt.After(now) {
				t.Errorf("%s: want published, opening later, got %s opening %s", o.ID, o.Status, o.BookingOpensAt)
			}
		case closed:
			if o.Status != domain.OfferingClosed || o.Confirmed == 0 {
				t.Errorf("%s: want closed with bookings, got %s, %d confirmed", o.ID, o.Status, o.Confirmed)
			}
		case draft:
			if o.Status != domain.OfferingDraft {
				t.Errorf("%s: want draft, got %s", o.ID, o.Status)
			}
		}
	}
	for _, k := range domain.Kinds {
		if kinds[k] < 10 {
			t.Errorf("%d offerings of %s, want ≥10", kinds[k], k)
		}
	}
	for _, s := range []state{nearlyFull, full, notYetOpen, closed, draft} {
		if states[s] == 0 {
			t.Errorf("no offering in state %d", s)
		}
	}
	if plenty < 10 {
		t.Errorf("%d open offerings with plenty of places, want ≥10", plenty)
	}
}

// checkTypical: capacities, ages, limits and schedules as the kind has them.
func checkTypical(t *testing.T, o domain.Offering) {
	t.Helper()
	type typical struct{ minCap, maxCap, minAge, maxAge, perTerm, maxFee int }
	want := map[domain.Kind]typical{
		domain.Childcare:     {10, 30, 0, 36, 1, 200000},
		domain.CareClass:     {40, 50, 72, 155, 1, 20000},
		domain.EveningCourse: {20, 40, 216, 551, 2, 30000},
		domain.SeniorCourse:  {20, 40, 660, 1200, 2, 20000},
	}[o.Kind]
	if o.Capacity < want.minCap || o.Capacity > want.maxCap || o.MinAgeMonths < want.minAge || o.MaxAgeMonths > want.maxAge ||
		o.MaxPerParticipantPerTerm != want.perTerm || o.FeeFen < 0 || o.FeeFen > want.maxFee {
		t.Errorf("%s (%s) is not typical: %+v", o.ID, o.Kind, o)
	}
	if o.Term == "" || o.Title == "" || o.Description == "" || o.Schedule.Text == "" || o.StartsOn > o.EndsOn {
		t.Errorf("%s: missing term, title, description or schedule, or ends before it starts: %+v", o.ID, o)
	}
	if o.Kind != domain.Childcare && (len(o.Schedule.Sessions) == 0 || o.Schedule.Sessions[0] != o.StartsOn || o.Schedule.Sessions[len(o.Schedule.Sessions)-1] != o.EndsOn) {
		t.Errorf("%s: sessions %v should run from %s to %s", o.ID, o.Schedule.Sessions, o.StartsOn, o.EndsOn)
	}
}

// checkBookings reads every account's bookings back through the booking
// service and compares them with the offerings' counters and the summary.
func checkBookings(t *testing.T, st *store.Store, svc *residents.Service, sum Summary, now time.Time) {
	ctx := context.Background()
	type tally struct{ confirmed, waitlisted int }
	per := map[string]*tally{}
	positions := map[string][]int{}
	var all tally
	total := 0
	for _, account := range accounts(now) {
		page := paging.Page{Limit: 200}
		for {
			bs, next, err := svc.List(ctx, account, "", page)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bs {
				total++
				if per[b.OfferingID] == nil {
					per[b.OfferingID] = &tally{}
				}
				switch b.Status {
				case domain.BookingConfirmed:
					per[b.OfferingID].confirmed++
					all.confirmed++
				case domain.BookingWaitlisted:
					per[b.OfferingID].waitlisted++
					all.waitlisted++
					positions[b.OfferingID] = append(positions[b.OfferingID], b.WaitlistPosition)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
	}
	if total != sum.Bookings || all.confirmed != sum.Confirmed || all.waitlisted != sum.Waitlisted {
		t.Errorf("bookings read back: %d (%d confirmed, %d waitlisted); summary %+v", total, all.confirmed, all.waitlisted, sum)
	}
	// Every offering, past terms' too: its counters are its bookings.
	stored, err := st.CityOfferings(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != sum.Offerings+sum.PastOfferings {
		t.Errorf("%d offerings in the city index, summary %+v", len(stored), sum)
	}
	for _, o := range stored {
		got := tally{}
		if per[o.ID] != nil {
			got = *per[o.ID]
		}
		if o.Confirmed > o.Capacity || o.Confirmed != got.confirmed || o.Waitlisted != got.waitlisted {
			t.Errorf("%s: counters %d/%d confirmed, %d waiting; bookings %d confirmed, %d waiting",
				o.ID, o.Confirmed, o.Capacity, o.Waitlisted, got.confirmed, got.waitlisted)
		}
		// The waitlist is 1, 2, … n: nobody shares a place in line.
		ps := positions[o.ID]
		slices.Sort(ps)
		for i, p := range ps {
			if p != i+1 {
				t.Errorf("%s: waitlist positions %v", o.ID, ps)
				break
			}
		}
	}
}

// accounts lists every seeded account, the demo one included.
func accounts(now time.Time) []string {
	var out []string
	for _, r := range population(newCalendar(now)) {
		if !slices.Contains(out, r.account) {
			out = append(out, r.account)
		}
	}
	return out
}

func checkCatalogue(t *testing.T, st *store.Store) {
	seen := map[string]bool{}
	page := paging.Page{Limit: 50}
	for {
		os, next, err := st.ListPublished(context.Background(), store.OfferingFilter{}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range os {
			seen[o.ID] = true
			if o.Status != domain.OfferingPublished {
				t.Errorf("catalogue lists %s, which is %s", o.ID, o.Status)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	for _, s := range offerings {
		if listed, want := seen[s.id], s.state != draft && s.state != closed; listed != want {
			t.Errorf("%s (state %d): in catalogue %v, want %v", s.id, s.state, listed, want)
		}
	}
}

// checkDemo: the demo account has its three participants and no bookings,
// its adult can book DemoOpenOffering, as the printed curl example does,
// and the blocked adult cannot.
func checkDemo(t *testing.T, st *store.Store, svc *residents.Service, sum Summary) {
	ctx := context.Background()
	ps, _, err := st.ListParticipants(ctx, DemoResident, paging.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	want := DemoParticipantIDs()
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("demo participants %v, want %v", ids, want)
	}
	bs, _, err := svc.List(ctx, DemoResident, "", paging.Page{Limit: 10})
	if err != nil || len(bs) != 0 {
		t.Fatalf("demo bookings: %v, %v; want none", bs, err)
	}
	adult := DemoParticipantIDs()[len(DemoParticipantIDs())-1]
	res, err := svc.Book(ctx, residents.Request{Account: DemoResident, OfferingID: DemoOpenOffering, ParticipantID: adult, JoinWaitlist: true})
	if err != nil || res.Booking.Status != domain.BookingConfirmed {
		t.Fatalf("booking the demo offering: %+v, %v", res.Booking, err)
	}
	_, err = svc.Book(ctx, residents.Request{Account: sum.BlockedAccount, OfferingID: DemoOpenOffering, ParticipantID: sum.BlockedParticipant, JoinWaitlist: true})
	if !apperr.Is(err, apperr.NoShowBlocked) {
		t.Fatalf("the blocked adult booking %s: %v, want no_show_blocked", DemoOpenOffering, err)
	}
}

// checkLastTerm: PastCourse ran in the evening term before the one on
// offer, its sessions are over and its booking was open before them; the
// blocked adult holds no booking of the term on offer, and their block
// ends with it.
func checkLastTerm(t *testing.T, st *store.Store, sum Summary, now time.Time) {
	ctx := context.Background()
	past, err := st.GetOffering(ctx, PastCourse)
	if err != nil {
		t.Fatal(err)
	}
	open, err := st.GetOffering(ctx, DemoOpenOffering)
	if err != nil {
		t.Fatal(err)
	}
	today := day(now.In(domain.CityZone))
	blocked, _, ok := past.BlockedTerm()
	switch {
	case !ok || blocked != open.Term:
		t.Errorf("%s (%s) blocks %s, but %s is in %s", PastCourse, past.Term, blocked, DemoOpenOffering, open.Term)
	case past.Status != domain.OfferingClosed || past.EndsOn >= today || !past.BookingClosesAt.Before(at(mustDate(t, past.StartsOn), 0)):
		t.Errorf("%s: %s, %s–%s, booking %s–%s; want closed, over before %s, booked before it began",
			PastCourse, past.Status, past.StartsOn, past.EndsOn, past.BookingOpensAt, past.BookingClosesAt, today)
	}
	for _, s := range past.Schedule.Sessions {
		if domain.TermOf(mustDate(t, s)) != past.Term || s >= today {
			t.Errorf("%s: session %s is not in %s before %s", PastCourse, s, past.Term, today)
		}
	}
	bs, _, err := st.ListBookings(ctx, sum.BlockedAccount, "", paging.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.ParticipantID == sum.BlockedParticipant && b.Term == open.Term && b.Status != domain.BookingCancelled {
			t.Errorf("the blocked adult holds %s in %s, the term they are blocked from", b.OfferingID, b.Term)
		}
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestResidents: every ID number is valid for its birth date, every person
// is someone else, and the demo family is eligible for its kinds.
func TestResidents(t *testing.T) {
	for _, d := range seedtest.Days {
		t.Run(d.Name, func(t *testing.T) { checkResidents(t, newCalendar(d.At)) })
	}
}

func checkResidents(t *testing.T, cal calendar) {
	seen := map[string]string{}
	count := 0
	for _, r := range population(cal) {
		count++
		if err := idnumber.Validate(r.idNumber, r.birth); err != nil {
			t.Errorf("%s: %v", r.id, err)
		}
		id := idnumber.Normalize(r.idNumber)
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share an ID number", r.id, other)
		}
		seen[id] = r.id
		if r.birth.After(cal.now) {
			t.Errorf("%s is born %s, in the future", r.id, day(r.birth))
		}
	}
	if count < 60 || count > 150 {
		t.Errorf("%d residents, want about 60–150", count)
	}
}

// TestPlanOnAnyDay plans the bookings for every day of three years, at
// half past midnight, half past nine and half past eleven at night, and on
// each of seedtest.Days, in memory: the demo must work whenever `make run`
// is started, and its calendar hold together.
func TestPlanOnAnyDay(t *testing.T) {
	byID := map[string]domain.Centre{}
	for _, c := range centres {
		byID[c.ID] = c
	}
	var days []time.Time
	first := time.Date(2026, 1, 1, 0, 30, 0, 0, domain.CityZone)
	for d := 0; d < 3*365+1; d++ {
		midnight := first.AddDate(0, 0, d)
		days = append(days, midnight.Add([]time.Duration{0, 9 * time.Hour, 23 * time.Hour}[d%3]))
	}
	for _, d := range seedtest.Days {
		days = append(days, d.At)
	}
	for _, now := range days {
		r := &runner{cal: newCalendar(now), offerings: map[string]domain.Offering{}, participants: map[string]domain.Participant{}}
		checkCalendar(t, r.cal, now)
		for _, s := range offerings {
			o := s.offering(byID[s.centre], r.cal)
			r.offerings[s.id] = o
			if s.state != notYetOpen && s.state != draft && (now.Before(o.BookingOpensAt) || !now.Before(o.BookingClosesAt)) {
				t.Fatalf("%s on %s: booking window %s–%s is not open", s.id, day(now), o.BookingOpensAt, o.BookingClosesAt)
			}
			if lead := o.StartsOn; lead < day(now.Add(leadTime)) {
				t.Fatalf("%s on %s starts %s, too soon", s.id, day(now), lead)
			}
			if end, _ := domain.TermEnds(o.Term); domain.TermOf(mustDate(t, o.StartsOn)) != o.Term || (o.Kind != domain.Childcare && o.Kind != domain.CareClass && o.EndsOn > day(end)) {
				t.Fatalf("%s on %s: %s–%s is not in its term %s", s.id, day(now), o.StartsOn, o.EndsOn, o.Term)
			}
		}
		r.people = population(r.cal)
		for _, res := range r.people {
			p, err := res.participant(context.Background(), plainIdentities{}, now)
			if err != nil {
				t.Fatal(err)
			}
			r.participants[res.id] = p
		}
		if _, err := r.plan(); err != nil {
			t.Fatalf("on %s: %v", day(now), err)
		}
		// The demo family has someone for each kind.
		for _, res := range r.people[len(r.people)-len(DemoParticipantIDs()):] {
			fits := false
			for _, o := range r.offerings {
				fits = fits || o.Kind == res.kind && domain.CheckAge(o, r.participants[res.id]) == nil
			}
			if res.account != DemoResident || !fits {
				t.Fatalf("on %s: demo participant %s fits no %s", day(now), res.id, res.kind)
			}
		}
		// The demo adult can book the printed offering; the blocked adult
		// could but for the block, and last term's course took them too.
		blocked := r.participants[blockedResident(r.people).id]
		past := pastCourseOffering(byID[DemoStaffCentre], r.cal)
		for _, p := range []domain.Participant{r.participants[demoAdult], blocked} {
			if domain.CheckAge(r.offerings[DemoOpenOffering], p) != nil || domain.CheckAge(past, p) != nil {
				t.Fatalf("on %s: %s cannot book %s or %s", day(now), p.ID, DemoOpenOffering, PastCourse)
			}
		}
	}
}

// checkCalendar: the evening term on offer starts its courses in a season
// they run in, four weeks ahead or more; last term's course lies in the
// term before, is over, and blocks the term on offer; the holiday and the
// nursery intake lie ahead.
func checkCalendar(t *testing.T, cal calendar, now time.Time) {
	t.Helper()
	today := day(now.In(domain.CityZone))
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("on %s (%s): "+format, append([]any{today, now.Format(time.RFC3339)}, args...)...)
	}
	if cal.today.Format(time.RFC3339) != today+"T00:00:00+08:00" {
		fail("today is %s", cal.today)
	}
	_, season, _ := strings.Cut(cal.eveningTerm, "-")
	switch {
	case cal.eveningStart.Weekday() != time.Monday || day(cal.eveningStart) < day(cal.today.AddDate(0, 0, 28)):
		fail("the evening term starts %s, want a Monday four weeks ahead or more", day(cal.eveningStart))
	case !slices.Contains(eveningSeasons, season) || domain.TermOf(cal.eveningStart) != cal.eveningTerm ||
		domain.TermOf(cal.eveningStart.AddDate(0, 0, 6)) != cal.eveningTerm:
		fail("the evening term %s starts in the week of %s, not all in a season evening courses run in", cal.eveningTerm, day(cal.eveningStart))
	case cal.eveningStart.After(cal.today.AddDate(0, 6, 0)):
		fail("the evening term starts %s, more than six months ahead", day(cal.eveningStart))
	}
	if prev, _ := domain.PreviousTerm(cal.eveningTerm, eveningSeasons); cal.pastTerm != prev {
		fail("last term is %s, want %s, the one before %s", cal.pastTerm, prev, cal.eveningTerm)
	}
	if next, _ := domain.NextTerm(cal.pastTerm, eveningSeasons); next != cal.eveningTerm {
		fail("last term %s blocks %s, not %s", cal.pastTerm, next, cal.eveningTerm)
	}
	if len(cal.pastSessions) != 4 {
		fail("last term's course has %d sessions", len(cal.pastSessions))
	}
	for i, s := range cal.pastSessions {
		if s.Weekday() != time.Tuesday || day(s) >= today || domain.TermOf(s) != cal.pastTerm || (i > 0 && !s.Equal(cal.pastSessions[i-1].AddDate(0, 0, 7))) {
			fail("last term's sessions %v: want weekly Tuesdays in %s before today", cal.pastSessions, cal.pastTerm)
		}
	}
	h := cal.holiday
	if start := h.periods[0].start; day(start) < day(cal.today.Add(leadTime)) || h.term != domain.TermOf(start) ||
		(h.name == "寒假") != strings.HasSuffix(h.term, "-winter") || (h.name == "暑期") != strings.HasSuffix(h.term, "-summer") {
		fail("the holiday %s (%s) starts %s", h.name, h.term, day(start))
	}
	if c := cal.childcareStart; c.Day() != 1 || day(c) < day(cal.today.Add(leadTime)) || day(c) > day(cal.today.AddDate(0, 2, 0)) {
		fail("the nursery intake is %s, want the first of a month three weeks to two months ahead", day(c))
	}
}

// checkPolicies: childcare's and care classes' version 1, and only that
// (the second run wrote no other), in force from well before now, written
// by the demo officer; evening courses have none.
func checkPolicies(t *testing.T, st *store.Store, now time.Time) {
	ctx := context.Background()
	since := PolicySince(now)
	if !since.Before(now.AddDate(0, -6, 0)) {
		t.Errorf("policies in force from %s, want well before %s", since, now)
	}
	for kind, codes := range map[domain.Kind][]string{
		domain.Childcare: {"hardship_special_needs", "dual_worker", "sibling_enrolled", "district_resident", "general"},
		domain.CareClass: {"hardship", "dual_worker", "local_school", "general"},
	} {
		p, err := st.PolicyInForce(ctx, kind, now)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		var got []string
		for _, tr := range p.Tiers {
			got = append(got, tr.Code)
		}
		if p.Version != 1 || !p.EffectiveFrom.Equal(since) || p.CreatedBy != DemoOfficer || !slices.Equal(got, codes) {
			t.Errorf("%s in force: %+v, want version 1 from %s by %s with %v", kind, p, since, DemoOfficer, codes)
		}
		if latest, err := st.LatestPolicy(ctx, kind); err != nil || latest.Version != 1 {
			t.Errorf("%s latest: version %d %v, want 1", kind, latest.Version, err)
		}
		if _, err := st.PolicyInForce(ctx, kind, since.Add(-time.Second)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s before %s: %v, want none", kind, since, err)
		}
	}
	if _, err := st.PolicyInForce(ctx, domain.EveningCourse, now); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("evening_course: %v, want no policy", err)
	}
}
