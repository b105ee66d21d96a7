package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// verification is staff-1's check of p at w's centre, now.
func (w *world) verification(p domain.Participant) store.Verification {
	return store.Verification{Account: p.Account, ParticipantID: p.ID, CentreID: w.c.ID, BookingID: "bk-1",
		Staff: "staff-1", Document: "household_register", VerifiedAt: w.now}
}

func (w *world) verifyAudit(p domain.Participant) store.AuditEntry {
	return store.Audit(w.c.ID, "staff-1", "participant.verified", p.ID, nil, nil, w.now)
}

func (w *world) counts() (int, int) {
	w.t.Helper()
	r, v, err := w.st.ParticipantCounts(w.ctx)
	w.must(err)
	return r, v
}

// TestVerifyIdentity: an identity is unverified until VerifyIdentity, then
// reads back as written, the participant reads verified, the audit log
// and the city's counts show it; a second verification loses the race
// (ErrContention), and one whose participant is missing or holds another
// identity is not_found and writes nothing.
func TestVerifyIdentity(t *testing.T) {
	w := newWorld(t)
	if r, v := w.counts(); r != 0 || v != 0 {
		t.Fatalf("an empty table counts %d registered, %d verified", r, v)
	}
	p := w.register("acc-1", 1)
	q := w.register("acc-1", 2)
	if v, err := w.st.GetVerification(w.ctx, p.Identity); v != nil || err != nil {
		t.Fatalf("unverified: %+v %v", v, err)
	}
	w.tick()
	missing := w.person("acc-1", 3) // never registered
	wantCode(t, "participant missing", w.st.VerifyIdentity(w.ctx, missing.Identity, w.verification(missing), w.verifyAudit(missing)), apperr.NotFound)
	wantCode(t, "another's identity", w.st.VerifyIdentity(w.ctx, q.Identity, w.verification(p), w.verifyAudit(p)), apperr.NotFound)
	for _, id := range []string{missing.Identity, q.Identity} {
		if v, err := w.st.GetVerification(w.ctx, id); v != nil || err != nil {
			t.Fatalf("a refused verification was written: %+v %v", v, err)
		}
	}
	if r, v := w.counts(); r != 2 || v != 0 {
		t.Fatalf("after refusals: %d registered, %d verified; want 2, 0", r, v)
	}

	w.must(w.st.VerifyIdentity(w.ctx, p.Identity, w.verification(p), w.verifyAudit(p)))
	v, err := w.st.GetVerification(w.ctx, p.Identity)
	w.must(err)
	want := w.verification(p)
	if v == nil || v.Account != want.Account || v.ParticipantID != p.ID || v.CentreID != w.c.ID || v.BookingID != "bk-1" ||
		v.Staff != "staff-1" || v.Document != "household_register" || !v.VerifiedAt.Equal(w.now) {
		t.Fatalf("verification %+v, want %+v", v, want)
	}
	got, err := w.st.GetParticipant(w.ctx, "acc-1", p.ID)
	w.must(err)
	if !got.Verified || got.VerifiedAt == nil || !got.VerifiedAt.Equal(w.now) {
		t.Fatalf("participant %+v", got)
	}
	if r, v := w.counts(); r != 2 || v != 1 {
		t.Fatalf("%d registered, %d verified; want 2, 1", r, v)
	}
	log, _, err := w.st.ListAudit(w.ctx, w.c.ID, paging.Page{Limit: 10})
	if err != nil || len(log) != 1 || log[0].Action != "participant.verified" {
		t.Fatalf("audit %+v %v", log, err)
	}

	w.tick()
	if err := w.st.VerifyIdentity(w.ctx, p.Identity, w.verification(p), w.verifyAudit(p)); !errors.Is(err, store.ErrContention) {
		t.Fatalf("verified twice: %v, want ErrContention", err)
	}
	if v2, _ := w.st.GetVerification(w.ctx, p.Identity); !v2.VerifiedAt.Equal(v.VerifiedAt) {
		t.Fatalf("the second verification replaced the first: %+v", v2)
	}
	if r, v := w.counts(); r != 2 || v != 1 {
		t.Fatalf("after the second: %d registered, %d verified; want 2, 1", r, v)
	}
}

// TestHoldsOf: an identity's active bookings in every account, and only
// those: a cancelled booking and another person's are not among them.
func TestHoldsOf(t *testing.T) {
	w := newWorld(t)
	for _, id := range []string{"o1", "o2", "o3"} {
		w.offering(id, 5)
	}
	mine := w.register("acc-1", 1)
	theirs := w.register("acc-2", 1) // the same person, registered by another account
	other := w.register("acc-1", 2)
	b1 := w.book(mine, "o1")
	b2 := w.book(theirs, "o2")
	gone := w.book(mine, "o3")
	w.book(other, "o1")
	w.cancel(gone)
	holds, err := w.st.HoldsOf(w.ctx, mine.Identity)
	w.must(err)
	slices.SortFunc(holds, func(a, b store.Hold) int { return strings.Compare(a.OfferingID, b.OfferingID) })
	want := []store.Hold{{OfferingID: "o1", BookingID: b1.ID, Account: "acc-1"}, {OfferingID: "o2", BookingID: b2.ID, Account: "acc-2"}}
	if !slices.Equal(holds, want) {
		t.Fatalf("holds %+v, want %+v", holds, want)
	}
	if holds, err := w.st.HoldsOf(w.ctx, "no-such-identity"); len(holds) != 0 || err != nil {
		t.Fatalf("an unknown identity holds %+v %v", holds, err)
	}
}

// TestVerifiedAccounts: each verified identity asked about maps to its
// account, more than one BatchGetItem's worth included; unverified and
// repeated ones are fine.
func TestVerifiedAccounts(t *testing.T) {
	w := newWorld(t)
	p := w.register("acc-1", 1)
	q := w.register("acc-2", 2)
	w.register("acc-3", 3)
	for _, x := range []domain.Participant{p, q} {
		w.must(w.st.VerifyIdentity(w.ctx, x.Identity, w.verification(x), w.verifyAudit(x)))
	}
	asked := []string{p.Identity, "unknown", p.Identity, q.Identity}
	for i := range 150 { // sorting before any identity: p and q are asked after the first 100
		asked = append(asked, fmt.Sprintf("!nobody-%03d", i))
	}
	got, err := w.st.VerifiedAccounts(w.ctx, asked)
	w.must(err)
	if len(got) != 2 || got[p.Identity] != "acc-1" || got[q.Identity] != "acc-2" {
		t.Fatalf("verified %v", got)
	}
	if got, err := w.st.VerifiedAccounts(w.ctx, nil); len(got) != 0 || err != nil {
		t.Fatalf("none asked: %v %v", got, err)
	}
}

// TestVerifiedElsewhereNotices: a verification that ends another account's
// bookings writes, with each ending, one verified_elsewhere notice to that
// account (in the outbox, for the dispatcher to send) and none to the
// account verified; verifying again tells nobody again.
func TestVerifiedElsewhereNotices(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 5)
	w.offering("o2", 5)
	w.offering("o3", 5)
	parent := w.register("acc-1", 1)
	stranger := w.register("acc-2", 1) // the same person
	mine := w.book(parent, "o1")
	b2 := w.book(stranger, "o2")
	b3 := w.book(stranger, "o3")
	before := dbtest.Told(t, w.st) // the bookings' own notices (the bus's)
	staff := &centrestaff.Service{Store: w.st, Now: func() time.Time { return w.now }}
	w.tick()
	caller := auth.Caller{Sub: "staff-1", Groups: []string{auth.CentreStaff}, CentreIDs: []string{w.c.ID}}
	for range 2 {
		_, err := staff.VerifyIdentity(w.ctx, caller, "o1", mine.ID, parent.Identity, "household_register")
		w.must(err)
	}
	var told []string
	for _, n := range dbtest.Told(t, w.st) {
		if !slices.Contains(before, n) {
			told = append(told, n)
		}
	}
	want := []string{"verified_elsewhere acc-2 " + b2.ID, "verified_elsewhere acc-2 " + b3.ID}
	slices.Sort(want)
	if !slices.Equal(told, want) {
		t.Fatalf("told %q, want %q", told, want)
	}
	es, err := w.st.OutboxEntries(w.ctx)
	w.must(err)
	for _, e := range es {
		if e.Event != notices.VerifiedElsewhere {
			continue
		}
		if text, ok := e.Text(); !ok || !e.ToResident() || e.Title == "" || !e.At.Equal(w.now) || text.ZH == "" || e.Attempts != 0 || !e.Due.Equal(w.now) {
			t.Errorf("notice %+v", e)
		}
	}
	if msgs, err := w.st.ListMessages(w.ctx, "acc-2"); len(msgs) != 0 || err != nil {
		t.Fatalf("messages recorded by the change itself: %+v %v", msgs, err)
	}
	m := store.NewMessage("e", "sms", "sent", apperr.Text{ZH: "中文", EN: "English"}, w.now)
	if m.Text != "中文 / English" || m.Event != "e" || !m.SentAt.Equal(w.now) || m.ID == "" {
		t.Fatalf("NewMessage %+v", m)
	}
}

// TestPersonItemSize: the person item a booking writes (every check of the
// person is a condition of that write) costs the transaction's minimum of
// 2 units only under 1 KB. With ids as the services make them (a Cognito
// sub for the account, of_/bk_ ids), a verified person holding bookings of
// two terms stays under it with four held at once; a cancellation takes
// its hold off again, leaving the term's count. The figures are logged for
// DESIGN.md ("What a request costs").
func TestPersonItemSize(t *testing.T) {
	w := newWorld(t)
	account := "3f2b9c1e-5d4a-4e8b-9a6f-0c1d2e3f4a5b" // a Cognito sub's shape
	p := w.register(account, 1)
	size := func() int {
		out, err := w.db.GetItem(w.ctx, &dynamodb.GetItemInput{TableName: &w.table, ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + p.Identity},
				"SK": &types.AttributeValueMemberS{Value: "PERSON"}}})
		w.must(err)
		n := 0
		for name, v := range out.Item {
			n += len(name)
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				n += len(v.Value)
			case *types.AttributeValueMemberN:
				n += capacity.NumberSize(v.Value)
			default:
				t.Fatalf("%s: a %T on the person item", name, v)
			}
		}
		return n
	}
	registered := size()
	v := w.verification(p)
	v.CentreID, v.BookingID, v.Staff = domain.NewID("ct", w.now), domain.NewID("bk", w.now), "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	w.must(w.st.VerifyIdentity(w.ctx, p.Identity, v, w.verifyAudit(p)))
	verified := size()

	var bookings []domain.Booking
	var sizes []int
	for i, term := range []string{"2025-autumn", "2025-autumn", "2026-spring", "2026-spring"} {
		o := w.offering(domain.NewID("of", w.now.Add(time.Duration(i)*time.Millisecond)), 10, func(o *domain.Offering) { o.Term = term })
		bookings = append(bookings, w.book(p, o.ID))
		sizes = append(sizes, size())
	}
	held := sizes[1] - sizes[0]        // a second hold of a term: the hold alone
	term := sizes[0] - verified - held // a term's first booking adds its count too
	t.Logf("person item: registered %d B, verified %d B; per held booking %d B, per kind and term %d B; holding 4 in 2 terms %d B",
		registered, verified, held, term, sizes[3])
	if sizes[3] >= 1024 {
		t.Errorf("a verified person holding 4 bookings in 2 terms: %d B, over 1 KB (4 write units a booking, not 2)", sizes[3])
	}
	w.cancel(bookings[3])
	if got := size(); got != sizes[2] {
		t.Errorf("after a cancellation %d B, want %d (its hold off, the term's count kept)", got, sizes[2])
	}
}
