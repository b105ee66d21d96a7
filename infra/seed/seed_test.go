package seed

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/booking"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func hasher(t *testing.T) *idnumber.Hasher {
	t.Helper()
	h, err := idnumber.NewHasher([]byte(dbtest.HashKey))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestRun seeds one store twice and checks what it holds.
func TestRun(t *testing.T) {
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	svc := &booking.Service{Store: st, Now: time.Now}
	var lines []string
	d := Deps{Store: st, Booking: svc, Hasher: hasher(t), Now: time.Now,
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
	before := counters(t, st)
	ledger, snaps := historyCounts(t, st)

	// The second run is a week later, as a restart of the demo might be: it
	// must find everything and write nothing, the city's history included.
	later := func() time.Time { return time.Now().AddDate(0, 0, 8) }
	d.Now, d.Booking = later, &booking.Service{Store: st, Now: later}
	t0 = time.Now()
	second, err := Run(ctx, d)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	t.Logf("second run: %s", time.Since(t0).Round(time.Millisecond))
	if second != first {
		t.Errorf("second run's summary %+v, first %+v", second, first)
	}
	if after := counters(t, st); !slices.Equal(after, before) {
		t.Errorf("second run changed offering counters:\n%v\n%v", before, after)
	}
	if l, s := historyCounts(t, st); l != ledger || s != snaps {
		t.Errorf("second run changed the city's history: %d ledger entries and %d snapshots, were %d and %d", l, s, ledger, snaps)
	}

	t.Run("summary", func(t *testing.T) {
		if first.Centres < 30 || first.Offerings < 60 || first.Participants < 60 || first.Participants > 130 {
			t.Errorf("summary %+v: want ≥30 centres, ≥60 offerings, 60–130 participants", first)
		}
		if first.Bookings == 0 || first.Bookings > 400 || first.Confirmed+first.Waitlisted > first.Bookings {
			t.Errorf("summary %+v: want 1–400 bookings", first)
		}
		if first.PastOfferings == 0 || first.Changes < first.Offerings || first.Snapshots != historyDays {
			t.Errorf("summary %+v: want past offerings, a ledger entry per offering at least, %d snapshots", first, historyDays)
		}
	})
	t.Run("city history", func(t *testing.T) { checkCityHistory(t, st, first) })
	t.Run("centres", func(t *testing.T) { checkCentres(t, st) })
	t.Run("offerings", func(t *testing.T) { checkOfferings(t, st) })
	t.Run("counters agree with bookings", func(t *testing.T) { checkBookings(t, st, svc, first) })
	t.Run("catalogue", func(t *testing.T) { checkCatalogue(t, st) })
	// Last, as it books: the flow `make run` prints must work.
	t.Run("demo resident", func(t *testing.T) { checkDemo(t, st, svc) })
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
	cs, next, err := st.ListCentres(context.Background(), "", store.Page{Limit: 200})
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

func checkOfferings(t *testing.T, st *store.Store) {
	ctx := context.Background()
	now := time.Now()
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
func checkBookings(t *testing.T, st *store.Store, svc *booking.Service, sum Summary) {
	ctx := context.Background()
	type tally struct{ confirmed, waitlisted int }
	per := map[string]*tally{}
	positions := map[string][]int{}
	var all tally
	total := 0
	for _, account := range accounts() {
		page := store.Page{Limit: 200}
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
func accounts() []string {
	var out []string
	for _, r := range residents(newCalendar(time.Now())) {
		if !slices.Contains(out, r.account) {
			out = append(out, r.account)
		}
	}
	return out
}

func checkCatalogue(t *testing.T, st *store.Store) {
	seen := map[string]bool{}
	page := store.Page{Limit: 50}
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
// and its adult can book DemoOpenOffering, as the printed curl example does.
func checkDemo(t *testing.T, st *store.Store, svc *booking.Service) {
	ctx := context.Background()
	ps, _, err := st.ListParticipants(ctx, DemoResident, store.Page{Limit: 10})
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
	bs, _, err := svc.List(ctx, DemoResident, "", store.Page{Limit: 10})
	if err != nil || len(bs) != 0 {
		t.Fatalf("demo bookings: %v, %v; want none", bs, err)
	}
	adult := DemoParticipantIDs()[len(DemoParticipantIDs())-1]
	res, err := svc.Book(ctx, booking.Request{Account: DemoResident, OfferingID: DemoOpenOffering, ParticipantID: adult, JoinWaitlist: true})
	if err != nil || res.Booking.Status != domain.BookingConfirmed {
		t.Fatalf("booking the demo offering: %+v, %v", res.Booking, err)
	}
}

// TestResidents: every ID number is valid for its birth date, every person
// is someone else, and the demo family is eligible for its kinds.
func TestResidents(t *testing.T) {
	cal := newCalendar(time.Now())
	h := hasher(t)
	seen := map[string]string{}
	count := 0
	for _, r := range residents(cal) {
		count++
		if err := idnumber.Validate(r.idNumber, r.birth); err != nil {
			t.Errorf("%s: %v", r.id, err)
		}
		id := h.Identity(r.idNumber)
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share an ID number", r.id, other)
		}
		seen[id] = r.id
		if r.birth.After(cal.now) {
			t.Errorf("%s is born %s, in the future", r.id, day(r.birth))
		}
	}
	if count < 60 || count > 130 {
		t.Errorf("%d residents, want about 60–120", count)
	}
}

// TestPlanOnAnyDay plans the bookings for every day of two years, in memory:
// the demo must work whenever `make run` is started.
func TestPlanOnAnyDay(t *testing.T) {
	h := hasher(t)
	byID := map[string]domain.Centre{}
	for _, c := range centres {
		byID[c.ID] = c
	}
	start := time.Date(2026, 1, 1, 9, 30, 0, 0, domain.CityZone)
	for d := 0; d < 2*365; d++ {
		now := start.AddDate(0, 0, d)
		r := &runner{cal: newCalendar(now), offerings: map[string]domain.Offering{}, participants: map[string]domain.Participant{}}
		for _, s := range offerings {
			o := s.offering(byID[s.centre], r.cal)
			r.offerings[s.id] = o
			if s.state != notYetOpen && s.state != draft && (now.Before(o.BookingOpensAt) || !now.Before(o.BookingClosesAt)) {
				t.Fatalf("%s on %s: booking window %s–%s is not open", s.id, day(now), o.BookingOpensAt, o.BookingClosesAt)
			}
			if lead := o.StartsOn; lead < day(now.Add(leadTime)) {
				t.Fatalf("%s on %s starts %s, too soon", s.id, day(now), lead)
			}
		}
		r.people = residents(r.cal)
		for _, res := range r.people {
			r.participants[res.id] = res.participant(h, now)
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
		if domain.CheckAge(r.offerings[DemoOpenOffering], r.participants[demoAdult]) != nil {
			t.Fatalf("on %s: the demo adult cannot book %s", day(now), DemoOpenOffering)
		}
	}
}
