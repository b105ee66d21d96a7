package erasure_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/erasure"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// personal are the attributes no erased item may keep.
var personal = []string{"personal", "name", "birth_date", "id_number_last4", "participant_name", "identity"}

type fixture struct {
	t      *testing.T
	st     *store.Store
	db     *dynamodb.Client
	faults *faults.Injector
	svc    *erasure.Service
	ids    *keycustody.Identities
	now    atomic.Pointer[time.Time]
	centre domain.Centre
	table  string
	cfg    config.Config
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, faults: &faults.Injector{}, centre: dbtest.Centre("c1", "liangxi")}
	cfg := dbtest.Config(t)
	f.table, f.cfg = cfg.TableName, cfg
	f.st, f.ids, f.db = dbtest.CustodyOn(t, cfg, f.faults.Option)
	f.set(time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone))
	now := func() time.Time { return *f.now.Load() }
	f.svc = &erasure.Service{Store: f.st, Booking: &residents.Service{Store: f.st, Now: now}, Now: now}
	if err := f.st.PutCentre(context.Background(), f.centre, false); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) set(at time.Time) { f.now.Store(&at) }

func (f *fixture) offering(id string, capacity int, edit ...func(*domain.Offering)) {
	f.t.Helper()
	if err := f.st.PutOffering(context.Background(), dbtest.Offering(id, f.centre, capacity, f.svc.Now(), edit...), false); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) person(account string, seq int) domain.Participant {
	f.t.Helper()
	birth := time.Date(1995, 3, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(context.Background(), domain.NewParticipant{Name: fmt.Sprintf("居民%d", seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320202", birth, seq)}, account, f.ids, f.svc.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.CreateParticipant(context.Background(), p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) book(p domain.Participant, offeringID string, key ...string) domain.Booking {
	f.t.Helper()
	req := residents.Request{Account: p.Account, OfferingID: offeringID, ParticipantID: p.ID, JoinWaitlist: true}
	if len(key) > 0 {
		req.IdempotencyKey = key[0]
	}
	res, err := f.svc.Booking.Book(context.Background(), req)
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Booking
}

func (f *fixture) raw(pk, sk string) map[string]types.AttributeValue {
	f.t.Helper()
	out, err := f.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &f.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return out.Item
}

// holds reports whether the identity's person item holds an active booking
// of the offering (its one-per-offering marker).
func (f *fixture) holds(identity, offeringID string) bool {
	f.t.Helper()
	hs, err := f.st.HoldsOf(context.Background(), identity)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range hs {
		if h.OfferingID == offeringID {
			return true
		}
	}
	return false
}

func (f *fixture) put(item map[string]string) {
	f.t.Helper()
	m := map[string]types.AttributeValue{}
	for k, v := range item {
		m[k] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := f.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &f.table, Item: m}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) count(attr string) int {
	f.t.Helper()
	it := f.raw("CITY#PARTICIPANTS", "COUNT")
	if it == nil || it[attr] == nil {
		return 0
	}
	var n int
	fmt.Sscan(it[attr].(*types.AttributeValueMemberN).Value, &n)
	return n
}

// erased fails unless the booking item is still there (for the city) and
// carries no personal attribute.
func (f *fixture) erased(b domain.Booking) {
	f.t.Helper()
	it := f.raw("ACCOUNT#"+b.Account, "BOOKING#"+b.ID)
	if it == nil {
		f.t.Fatalf("booking %s is gone; it should stay, anonymous", b.ID)
	}
	for _, a := range personal {
		if it[a] != nil {
			f.t.Errorf("booking %s still has %s after erasure", b.ID, a)
		}
	}
	if it["erased_at"] == nil || it["status"] == nil || it["offering_id"] == nil {
		f.t.Errorf("booking %s: %v, want erased_at with its status and offering kept", b.ID, it)
	}
}

func code(err error) apperr.Code {
	if e, ok := errors.AsType[*apperr.Error](err); ok {
		return e.Code
	}
	return ""
}

// TestEraseParticipant: an active booking refuses the erasure and leaves the
// participant bookable; once it is cancelled, the participant, its identity
// marker, its registry and verification items go, its bookings (past ones
// too) stay without name, birth date, last4 or identity and leave the
// resident's lists, and the city's counts go down. A second erasure is
// not_found.
func TestEraseParticipant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("past", 10, func(o *domain.Offering) { o.EndsOn = "2025-08-20" })
	f.offering("live", 10)
	f.offering("other", 10)
	p := f.person("acct-a", 1)
	keep := f.person("acct-a", 2)
	past := f.book(p, "past")
	cancelled := f.book(p, "other")
	if _, err := f.svc.Booking.Cancel(ctx, p.Account, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	live := f.book(p, "live")
	kept := f.book(keep, "live")
	f.put(map[string]string{"PK": "IDENTITY#" + p.Identity, "SK": "PERSON", "account": "acct-a", "participant_id": p.ID, "live#acct-a": p.ID})
	registered, verified := f.count("registered"), f.count("verified")

	f.set(time.Date(2025, 9, 1, 10, 0, 0, 0, domain.CityZone)) // "past" has ended, "live" has not
	if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Refuse); code(err) != apperr.HasActiveBookings {
		t.Fatalf("erasing with an active booking: %v, want has_active_bookings", err)
	}
	if it := f.raw("ACCOUNT#acct-a", "PARTICIPANT#"+p.ID); it == nil || it["erasing_at"] != nil {
		t.Fatalf("a refused erasure changed the participant: %v", it)
	}
	if _, err := f.svc.Booking.Cancel(ctx, p.Account, live.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Refuse); err != nil {
		t.Fatalf("erasing once nothing is active: %v", err)
	}

	if f.raw("ACCOUNT#acct-a", "PARTICIPANT#"+p.ID) != nil || f.raw("ACCOUNT#acct-a", "PARTICIPANT_IDENTITY#"+p.Identity) != nil {
		t.Error("the participant or its identity marker is still in the account")
	}
	if it := f.raw("IDENTITY#"+p.Identity, "PERSON"); it["account"] != nil || it["live#acct-a"] != nil {
		t.Errorf("the identity's person item still holds the erased participant: %v", it)
	}
	if f.holds(p.Identity, "past") {
		t.Error("the identity's marker (its hold) for the ended offering is still there")
	}
	for _, b := range []domain.Booking{past, cancelled, live} {
		f.erased(b)
	}
	if got := f.count("registered"); got != registered-1 {
		t.Errorf("registered = %d, want %d", got, registered-1)
	}
	if got := f.count("verified"); got != verified-1 {
		t.Errorf("verified = %d, want %d", got, verified-1)
	}
	bs, _, err := f.st.ListBookings(ctx, "acct-a", "", paging.Page{Limit: 50})
	if err != nil || len(bs) != 1 || bs[0].ID != kept.ID {
		t.Errorf("the account's bookings after erasure: %v, %v; want only the other participant's", bs, err)
	}
	if _, err := f.st.GetBooking(ctx, "acct-a", past.ID); code(err) != apperr.NotFound {
		t.Errorf("an erased booking read by its account: %v, want not_found", err)
	}
	if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Refuse); code(err) != apperr.NotFound {
		t.Errorf("erasing again: %v, want not_found", err)
	}
	if it := f.raw("ACCOUNT#acct-a", "PARTICIPANT#"+keep.ID); it == nil || it["personal"] == nil {
		t.Error("the account's other participant was touched")
	}
	// The centre cancels the ended offering afterwards: the erased booking
	// ends without writing counters for an identity it no longer has.
	roster, _, err := f.st.RosterPage(ctx, "past", paging.Page{Limit: 10})
	if err != nil || len(roster) != 1 || !roster[0].Erased {
		t.Fatalf("the ended offering's roster: %+v %v", roster, err)
	}
	if err := f.st.CancelBookingsOf(ctx, domain.Offering{ID: "past", CancelReason: "停课"}, roster, f.svc.Now()); err != nil {
		t.Fatal(err)
	}
	if it := f.raw("IDENTITY#", "PERSON"); it != nil {
		t.Errorf("cancelling an erased booking wrote a counter for no one: %v", it)
	}
}

// TestEraseCancelsFirst: erasing with Cancel ends the active booking as a
// resident's cancellation does, so the first person waiting gets the place.
func TestEraseCancelsFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("full", 1)
	p := f.person("acct-a", 1)
	q := f.person("acct-b", 2)
	f.book(p, "full")
	waiting := f.book(q, "full")
	if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Cancel); err != nil {
		t.Fatal(err)
	}
	b, err := f.st.GetBooking(ctx, q.Account, waiting.ID)
	if err != nil || b.Status != domain.BookingConfirmed {
		t.Fatalf("the waiting booking after the erasure: %v %v, want confirmed", b.Status, err)
	}
	o, _ := f.st.GetOffering(ctx, "full")
	if o.Confirmed != 1 || o.Waitlisted != 0 {
		t.Errorf("counters %d/%d, want 1 confirmed, 0 waiting", o.Confirmed, o.Waitlisted)
	}
	if f.holds(p.Identity, "full") {
		t.Error("the cancelled booking's marker (its hold) is still there")
	}
}

// TestEraseResumes: an erasure cut short, at any of its steps, is finished
// by running it again; meanwhile the participant cannot be booked.
func TestEraseResumes(t *testing.T) {
	for _, step := range []struct{ op string }{{"UpdateItem"}, {"TransactWriteItems"}} {
		t.Run(step.op, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			f.offering("a", 10)
			f.offering("b", 10)
			p := f.person("acct-a", 1)
			ba := f.book(p, "a")
			bb := f.book(p, "b")
			registered := f.count("registered")
			// Fail the second booking's erasure, or the final transaction
			// (after the cancellations' own transactions).
			// The erasure's mark is a transaction (the participant and its
			// person item), before the cancellations'.
			skip := map[string]int{"UpdateItem": 1, "TransactWriteItems": 3}[step.op]
			seen := 0
			f.faults.Fail(step.op, 1, func(any) error {
				if seen++; seen <= skip {
					return nil
				}
				return errors.New("cut short")
			})
			if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Cancel); err == nil {
				t.Fatal("the fault did not cut the erasure short")
			}
			if f.raw("ACCOUNT#acct-a", "PARTICIPANT#"+p.ID) == nil {
				t.Fatal("the participant went before its bookings were erased")
			}
			f.offering("c", 10)
			_, err := f.svc.Booking.Book(ctx, residents.Request{Account: p.Account, OfferingID: "c", ParticipantID: p.ID})
			if code(err) != apperr.NotFound {
				t.Errorf("booking a participant being erased: %v, want not_found", err)
			}
			if err := f.svc.Participant(ctx, p.Account, p.ID, erasure.Cancel); err != nil {
				t.Fatalf("running it again: %v", err)
			}
			f.erased(ba)
			f.erased(bb)
			if f.raw("ACCOUNT#acct-a", "PARTICIPANT#"+p.ID) != nil {
				t.Error("the participant is still there")
			}
			if got := f.count("registered") - registered; got != -1 {
				t.Errorf("registered went by %d, want -1 (once)", got)
			}
		})
	}
}

// TestWithdrawConsent: withdrawing erases the child and marks the consent
// record, which is kept; without a consent record it is not_found; a repeat
// answers the same.
func TestWithdrawConsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("a", 10)
	child := f.person("acct-a", 1)
	adult := f.person("acct-a", 2)
	b := f.book(child, "a")
	f.put(map[string]string{"PK": "ACCOUNT#acct-a", "SK": "CONSENT#" + child.ID, "type": "consent", "participant_id": child.ID,
		"notice_version": "2026-12", "agreed_at": "2025-07-01T02:00:00Z"})
	if err := f.svc.WithdrawConsent(ctx, "acct-a", adult.ID); code(err) != apperr.NotFound {
		t.Errorf("withdrawing for a participant without consent: %v, want not_found", err)
	}
	for range 2 {
		if err := f.svc.WithdrawConsent(ctx, "acct-a", child.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.erased(b)
	c, err := f.st.GetConsent(ctx, "acct-a", child.ID)
	if err != nil || c.WithdrawnAt == "" || c.NoticeVersion != "2026-12" || c.AgreedAt == "" {
		t.Errorf("consent record after withdrawal: %+v %v; want it kept, withdrawn", c, err)
	}
	if f.raw("ACCOUNT#acct-a", "PARTICIPANT#"+child.ID) != nil {
		t.Error("the child is still registered")
	}
	o, _ := f.st.GetOffering(ctx, "a")
	if o.Confirmed != 0 {
		t.Errorf("the child's place is still taken: %d confirmed", o.Confirmed)
	}
}

// TestDeleteAccount: every participant erased, active bookings cancelled,
// messages and idempotency records deleted; consent records and the
// anonymous bookings kept; a second run finds nothing to do.
func TestDeleteAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("a", 10)
	p1 := f.person("acct-a", 1)
	p2 := f.person("acct-a", 2)
	other := f.person("acct-b", 3)
	b1 := f.book(p1, "a", "key-1")
	b2 := f.book(p2, "a")
	f.book(other, "a")
	f.put(map[string]string{"PK": "ACCOUNT#acct-a", "SK": "CONSENT#" + p1.ID, "participant_id": p1.ID, "notice_version": "2026-12", "agreed_at": "x"})
	f.put(map[string]string{"PK": "ACCOUNT#acct-a", "SK": "MESSAGE#0000000000000000001#m1", "type": "message", "id": "m1", "text": "您好 / Hello"})
	// An application's idempotency record (a booking is its own record:
	// b1's key is its id).
	f.put(map[string]string{"PK": "ACCOUNT#acct-a", "SK": "IDEMPOTENCY#key-2", "request_hash": "h", "application_id": "ap_1"})
	// The channels chosen and a calendar feed: exported, then gone with
	// the account, the feed's address with them.
	if err := f.st.PutMessagePreferences(ctx, "acct-a", []string{"email"}, f.svc.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.st.ReplaceCalendarFeed(ctx, "acct-a", "feed-hash", f.svc.Now()); err != nil {
		t.Fatal(err)
	}
	if e, err := f.svc.Export(ctx, "acct-a"); err != nil || e.MessagePreferences == nil || e.MessagePreferences.Channels[0] != "email" ||
		e.CalendarFeed == nil || !e.CalendarFeed.CreatedAt.Equal(f.svc.Now()) {
		t.Fatalf("export before: %+v %+v %v", e.MessagePreferences, e.CalendarFeed, err)
	}
	for range 2 {
		if err := f.svc.Account(ctx, "acct-a"); err != nil {
			t.Fatal(err)
		}
	}
	f.erased(b1)
	f.erased(b2)
	a, err := f.st.ReadAccount(ctx, "acct-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Participants)+len(a.Bookings)+len(a.Messages)+len(a.Disposable) != 0 || len(a.Consents) != 1 {
		t.Errorf("left in the account: %+v; want only the consent record", a)
	}
	if f.raw("ACCOUNT#acct-a", "IDEMPOTENCY#key-2") != nil {
		t.Error("the idempotency record is still there")
	}
	if chs, err := f.st.MessagePreferences(ctx, "acct-a"); err != nil || len(chs) != 1 || chs[0] != "sms" {
		t.Errorf("the channels after deletion: %v %v, want the default", chs, err)
	}
	if _, err := f.st.CalendarFeedAccount(ctx, "feed-hash"); !erasure.IsNotFound(err) {
		t.Errorf("the calendar feed still answers: %v", err)
	}
	if o, _ := f.st.GetOffering(ctx, "a"); o.Confirmed != 1 {
		t.Errorf("confirmed = %d, want 1 (the other account's)", o.Confirmed)
	}
	if it := f.raw("ACCOUNT#acct-b", "PARTICIPANT#"+other.ID); it == nil {
		t.Error("another account's participant went too")
	}
}

// TestExportWhole: an account with more bookings than one Query reads
// exports whole; erased bookings are not in it.
func TestExportWhole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("a", 10)
	p := f.person("acct-a", 1)
	f.book(p, "a")
	const many = 1200
	reqs := make([]types.WriteRequest, 0, many)
	for i := range many {
		id := fmt.Sprintf("bk-old-%04d", i)
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#acct-a"}, "SK": &types.AttributeValueMemberS{Value: "BOOKING#" + id},
			"type": &types.AttributeValueMemberS{Value: "booking"}, "id": &types.AttributeValueMemberS{Value: id},
			"offering_id": &types.AttributeValueMemberS{Value: "a"}, "participant_id": &types.AttributeValueMemberS{Value: p.ID},
			"status": &types.AttributeValueMemberS{Value: "cancelled"}, "account": &types.AttributeValueMemberS{Value: "acct-a"},
		}}})
	}
	for len(reqs) > 0 {
		n := min(25, len(reqs))
		if _, err := f.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{f.table: reqs[:n]}}); err != nil {
			t.Fatal(err)
		}
		reqs = reqs[n:]
	}
	f.put(map[string]string{"PK": "ACCOUNT#acct-a", "SK": "BOOKING#bk-erased", "type": "booking", "id": "bk-erased", "status": "cancelled", "erased_at": "x"})
	e, err := f.svc.Export(ctx, "acct-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Bookings) != many+1 || len(e.Participants) != 1 || e.Account.ID != "acct-a" {
		t.Fatalf("export: %d bookings, %d participants; want %d and 1", len(e.Bookings), len(e.Participants), many+1)
	}
	for _, b := range e.Bookings {
		if strings.Contains(b.ID, "erased") {
			t.Error("an erased booking is in the export")
		}
	}
}

// TestNoBookingBehindAnErasure: a booking decided before its participant
// was marked for erasure, and written after, is not written (whether it
// moves the participant's retention or only checks it): it reads again and
// finds the participant gone.
func TestNoBookingBehindAnErasure(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bookFirst bool // then the raced booking does not move retain_until
	}{{"moving retention", false}, {"checking only", true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			f.offering("a", 10)
			f.offering("b", 10)
			p := f.person("acct-a", 1)
			if tc.bookFirst {
				f.book(p, "a")
			}
			// A second client, past the fault injector, marks the
			// participant between the booking's read and its write.
			cfg := dbtest.Config(t)
			cfg.TableName = f.table
			other, _, _ := dbtest.CustodyOn(t, cfg)
			f.faults.Fail("TransactWriteItems", 1, func(any) error {
				if err := other.MarkErasing(ctx, p.Account, p.ID, f.svc.Now()); err != nil {
					t.Error(err)
				}
				return nil
			})
			_, err := f.svc.Booking.Book(ctx, residents.Request{Account: p.Account, OfferingID: "b", ParticipantID: p.ID})
			if code(err) != apperr.NotFound {
				t.Errorf("the raced booking: %v, want not_found", err)
			}
			if o, _ := f.st.GetOffering(ctx, "b"); o.Confirmed != 0 {
				t.Errorf("the raced booking took a place: %d confirmed", o.Confirmed)
			}
		})
	}
}
