package draws_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// person registers a participant under account.
func (w *world) person(account string, seq int) domain.Participant {
	w.t.Helper()
	birth := time.Date(1990, 1, 1+seq/1000, 0, 0, 0, 0, domain.CityZone) // adults: no consent needed for the fixture
	p, err := domain.Register(w.ctx, domain.NewParticipant{Name: fmt.Sprintf("孩子%d", seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320213", birth, seq%1000)}, account, w.ids, w.now)
	w.must(err)
	w.must(w.st.CreateParticipant(w.ctx, p))
	return p
}

// unit is an application of people[0] with people[1:] as siblings (not yet
// written: its id is chosen first).
func (w *world) unit(people ...domain.Participant) domain.Application {
	p := people[0]
	a := domain.Application{
		OfferingID:    w.o.ID,
		Offering:      domain.BookedOffering{Title: w.o.Title, Kind: w.o.Kind, Centre: w.o.Centre, StartsOn: w.o.StartsOn},
		ParticipantID: p.ID, Participant: domain.BookedParticipant{Name: p.Name}, Status: domain.ApplicationApplied,
		Tier: 1, CreatedAt: w.now, Account: p.Account, Identity: p.Identity, Term: w.o.Term,
		BirthDate: p.BirthDate, IDNumberLast4: p.IDNumberLast4, Claims: []domain.Claim{},
	}
	for _, s := range people[1:] {
		a.Siblings = append(a.Siblings, domain.Sibling{ParticipantID: s.ID, Name: s.Name, BirthDate: s.BirthDate, IDNumberLast4: s.IDNumberLast4, Identity: s.Identity})
	}
	return a
}

// seedRanked gives apps ids under which the draw will rank them in the
// order given (the secret and the beacon's round are fixed already, so the
// ids are tried until they fall so), then writes them.
func (w *world) seedRanked(apps []domain.Application) {
	w.t.Helper()
	r, err := w.st.GetDraw(w.ctx, w.o.ID)
	w.must(err)
	bc := w.svc.Beacon.(beacon.Local)
	bc.Now = func() time.Time { return w.now.Add(1000 * time.Hour) }
	randomness, err := bc.Randomness(w.ctx, r.BeaconRound)
	w.must(err)
	dbtest.RankIDs(w.t, w.o.ID, r.Secret, randomness, apps, w.now)
	for _, a := range apps {
		w.must(w.st.SeedApplication(w.ctx, a))
		w.apps = append(w.apps, a)
	}
}

// TestSiblingsDrawnTogetherOrWait: capacity 3; ranked a single, a family of
// three, then three singles. The first single is offered; the family needs
// three places with two left, so all three children wait at one place in
// line (rank 2, one group); the next two singles take the two places; the
// last waits behind the family. Then the line: a place freed passes the
// family over for the single behind it; places left free wait for the
// family, which is offered all three together, with one deadline, once
// three are free; a sibling declining leaves the others offered.
func TestSiblingsDrawnTogetherOrWait(t *testing.T) {
	w := newWorld(t, 3)
	fam := "acct-family"
	family := w.unit(w.person(fam, 1), w.person(fam, 2), w.person(fam, 3))
	apps := []domain.Application{w.unit(w.person("acct-s1", 11)), family}
	for i := range 3 {
		apps = append(apps, w.unit(w.person(fmt.Sprintf("acct-s%d", i+2), 12+i)))
	}
	w.seedRanked(apps)
	family = w.apps[1]
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
		t.Fatal(err)
	}
	want := []string{"offered", "waitlisted", "offered", "offered", "waitlisted"}
	for i, a := range w.apps {
		if rec := w.record(a); rec.Status != want[i] || rec.Rank != i+1 {
			t.Fatalf("rank %d: %+v, want %s", i+1, rec, want[i])
		}
	}
	bookings := w.bookings()
	fb := bookings[fam]
	if len(fb) != 3 {
		t.Fatalf("the family has %d bookings, want 3", len(fb))
	}
	for _, b := range fb {
		if b.Status != domain.BookingWaitlisted || b.Group != family.ID || b.Stamp != 2 {
			t.Fatalf("family booking %+v: want waitlisted in group %s at rank 2", b, family.ID)
		}
	}
	got, err := w.st.GetApplication(w.ctx, fam, family.ID)
	w.must(err)
	if len(got.Choices) != 1 || len(got.Choices[0].BookingIDs) != 3 || got.Status != domain.ApplicationWaitlisted || got.Choices[0].WaitlistPosition != 1 {
		t.Fatalf("the family's record: %+v", got)
	}
	// The single behind the family stands fourth in line: after its three.
	if last, err := w.st.GetApplication(w.ctx, "acct-s4", w.apps[4].ID); err != nil || last.Choices[0].WaitlistPosition != 4 {
		t.Fatalf("the last single's record: %+v %v", last, err)
	}
	w.counters(0, 3, 4)

	byAccount := func(account string) domain.Booking { return bookings[account][0] }
	end := func(b domain.Booking) {
		t.Helper()
		b, err := w.st.GetBooking(w.ctx, b.Account, b.ID)
		w.must(err)
		change, err := w.st.Freed(w.ctx, b, w.now)
		w.must(err)
		w.must(w.st.EndBooking(w.ctx, b, change, w.now, store.Ending{By: store.ByResident}))
	}
	status := func(b domain.Booking) domain.BookingStatus {
		t.Helper()
		got, err := w.st.GetBooking(w.ctx, b.Account, b.ID)
		w.must(err)
		return got.Status
	}
	// Rank 3 declines: one place, the family passed over, rank 5 offered.
	end(byAccount("acct-s2"))
	if s := status(byAccount("acct-s4")); s != domain.BookingOffered {
		t.Fatalf("the single behind the family: %s, want offered", s)
	}
	w.counters(0, 3, 3)
	// Two more places free: two of three, so they wait for the family.
	end(byAccount("acct-s1"))
	end(byAccount("acct-s3"))
	w.counters(0, 1, 3)
	for _, b := range fb {
		if s := status(b); s != domain.BookingWaitlisted {
			t.Fatalf("with two places free a family of three: %s", s)
		}
	}
	// The third place: all three offered at once, one deadline.
	end(byAccount("acct-s4"))
	w.counters(0, 3, 0)
	var deadlines []time.Time
	for _, b := range fb {
		got, err := w.st.GetBooking(w.ctx, b.Account, b.ID)
		w.must(err)
		if got.Status != domain.BookingOffered || got.OfferExpiresAt == nil {
			t.Fatalf("family booking %+v, want offered", got)
		}
		deadlines = append(deadlines, *got.OfferExpiresAt)
	}
	if !deadlines[0].Equal(deadlines[1]) || !deadlines[0].Equal(deadlines[2]) {
		t.Fatalf("the family's deadlines %v, want one", deadlines)
	}
	// One sibling declines: the other two keep their offers.
	end(fb[0])
	if status(fb[1]) != domain.BookingOffered || status(fb[2]) != domain.BookingOffered {
		t.Fatal("a sibling declining ended the others' offers")
	}
	w.counters(0, 2, 0)
}

// counters checks the offering's confirmed, offered and waitlisted, and
// that no more places are held than it has.
func (w *world) counters(confirmed, offered, waitlisted int) {
	w.t.Helper()
	o, err := w.st.GetOffering(w.ctx, w.o.ID)
	w.must(err)
	if o.Confirmed != confirmed || o.Offered != offered || o.Waitlisted != waitlisted || o.Confirmed+o.Offered > o.Capacity {
		w.t.Fatalf("confirmed %d offered %d waitlisted %d (capacity %d), want %d %d %d", o.Confirmed, o.Offered, o.Waitlisted, o.Capacity, confirmed, offered, waitlisted)
	}
}

// TestSiblingRefusedNotDrawnWhole: one sibling's booking breaks a rule at
// the draw (already booked): the whole family is not drawn with the
// reason, none of its children has a booking, and the singles ranked after
// it take the places.
func TestSiblingRefusedNotDrawnWhole(t *testing.T) {
	w := newWorld(t, 4)
	fam := "acct-family"
	sib := w.person(fam, 2)
	apps := []domain.Application{w.unit(w.person(fam, 1), sib, w.person(fam, 3)), w.unit(w.person("acct-s1", 11)), w.unit(w.person("acct-s2", 12))}
	w.seedRanked(apps)
	_, err := w.db.UpdateItem(w.ctx, &dynamodb.UpdateItemInput{TableName: &w.tbl,
		Key:                      map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + sib.Identity}, "SK": &types.AttributeValueMemberS{Value: "PERSON"}},
		UpdateExpression:         aws("SET #held = :hold ADD #active :one"),
		ExpressionAttributeNames: map[string]string{"#held": "held#" + w.o.ID, "#active": "active#" + string(w.o.Kind) + "#" + w.o.Term},
		ExpressionAttributeValues: map[string]types.AttributeValue{":hold": &types.AttributeValueMemberS{Value: "elsewhere|bk-elsewhere"},
			":one": &types.AttributeValueMemberN{Value: "1"}}})
	w.must(err)
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
		t.Fatal(err)
	}
	if rec := w.record(w.apps[0]); rec.Status != "not_drawn" || rec.Reason != store.ReasonAlreadyBooked || rec.BookingID != "" {
		t.Fatalf("the family: %+v", rec)
	}
	bookings := w.bookings()
	if len(bookings[fam]) != 0 {
		t.Fatalf("the family not drawn has bookings %+v", bookings[fam])
	}
	for _, a := range w.apps[1:] {
		if rec := w.record(a); rec.Status != "offered" {
			t.Fatalf("a single after the family: %+v", rec)
		}
	}
	w.counters(0, 2, 0)
}

// TestSiblingsBatchByItems: many families of four fill transactions by
// their items, not a fixed count, and every child gets a booking.
func TestSiblingsBatchByItems(t *testing.T) {
	w := newWorld(t, 40)
	var apps []domain.Application
	for f := range 6 {
		acct := fmt.Sprintf("acct-f%d", f)
		apps = append(apps, w.unit(w.person(acct, 4*f+1), w.person(acct, 4*f+2), w.person(acct, 4*f+3), w.person(acct, 4*f+4)))
	}
	for _, a := range apps {
		a.ID = domain.NewID("app", w.now)
		a.Ticket = lottery.Ticket(w.o.ID, a.ID)
		w.must(w.st.SeedApplication(w.ctx, a))
		w.apps = append(w.apps, a)
	}
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, bs := range w.bookings() {
		total += len(bs)
	}
	if total != 24 {
		t.Fatalf("%d bookings, want 24", total)
	}
	w.counters(0, 24, 0)
}
