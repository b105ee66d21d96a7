package centrestaff_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// people registers and books on f's store; the same seq is the same person
// (the same ID number, so the same identity) in whatever account.
type people struct {
	*fixture
	svc *residents.Service
}

func newPeople(t *testing.T, opts ...func(*dynamodb.Options)) *people {
	f := newFixture(t, time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone), opts...)
	return &people{fixture: f, svc: &residents.Service{Store: f.st, Now: f.clock.now}}
}

func (p *people) number(seq int) string {
	birth := time.Date(1995, 3, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
	return idnumber.Make("320202", birth, seq%1000)
}

func (p *people) register(account string, seq int) (domain.Participant, error) {
	birth := time.Date(1995, 3, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
	pt, err := domain.Register(context.Background(), domain.NewParticipant{Name: fmt.Sprintf("学员%d", seq), BirthDate: birth.Format(domain.DateLayout), IDNumber: p.number(seq)},
		account, p.ids, p.clock.now())
	if err != nil {
		p.t.Fatal(err)
	}
	return pt, p.st.CreateParticipant(context.Background(), pt)
}

func (p *people) mustRegister(account string, seq int) domain.Participant {
	p.t.Helper()
	pt, err := p.register(account, seq)
	if err != nil {
		p.t.Fatal(err)
	}
	return pt
}

func (p *people) offering(id string, capacity int) {
	p.t.Helper()
	if err := p.st.PutOffering(context.Background(), dbtest.Offering(id, p.c, capacity, p.clock.now()), false); err != nil {
		p.t.Fatal(err)
	}
}

func (p *people) book(pt domain.Participant, offering string) (domain.Booking, error) {
	res, err := p.svc.Book(context.Background(), residents.Request{Account: pt.Account, OfferingID: offering, ParticipantID: pt.ID, JoinWaitlist: true})
	return res.Booking, err
}

func (p *people) mustBook(pt domain.Participant, offering string) domain.Booking {
	p.t.Helper()
	b, err := p.book(pt, offering)
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

func (p *people) verify(offering string, b domain.Booking, number string) (centrestaff.Verified, error) {
	identity, err := p.ids.Identify(context.Background(), number)
	if err != nil {
		p.t.Fatal(err)
	}
	return p.admin.VerifyIdentity(context.Background(), p.staff, offering, b.ID, identity, "household_register")
}

func (p *people) booking(b domain.Booking) domain.Booking {
	p.t.Helper()
	got, err := p.st.GetBooking(context.Background(), b.Account, b.ID)
	if err != nil {
		p.t.Fatal(err)
	}
	return got
}

func (p *people) actions(action string) []store.AuditEntry {
	var out []store.AuditEntry
	for _, a := range p.audit() {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

func (p *people) counts() (int, int) {
	p.t.Helper()
	r, v, err := p.st.ParticipantCounts(context.Background())
	if err != nil {
		p.t.Fatal(err)
	}
	return r, v
}

// TestVerifiedIdentityWins: staff verify a parent's child; a stranger's
// booking of the same child is cancelled (its place goes to the head of the
// line), with an audit record and a message; the stranger can no longer
// book or register the child, and nothing they are told names the parent's
// offering or account; verifying again changes nothing.
func TestVerifiedIdentityWins(t *testing.T) {
	ctx := context.Background()
	p := newPeople(t)
	p.offering("o-parent", 5)
	p.offering("o-stranger", 1)
	p.offering("o-later", 5)
	child := p.mustRegister("acc-parent", 1)
	borrowed := p.mustRegister("acc-stranger", 1)
	waiting := p.mustRegister("acc-other", 2)
	parentBooking := p.mustBook(child, "o-parent")
	strangerBooking := p.mustBook(borrowed, "o-stranger")
	queued := p.mustBook(waiting, "o-stranger")
	if queued.Status != domain.BookingWaitlisted {
		t.Fatalf("the second booking of a one-place offering is %s", queued.Status)
	}

	// A number that is not the participant's changes nothing.
	if _, err := p.verify("o-parent", parentBooking, p.number(2)); !apperr.Is(err, apperr.InvalidIDNumber) {
		t.Fatalf("verifying with another person's number: %v, want invalid_id_number", err)
	}
	if v, err := p.st.GetVerification(ctx, child.Identity); err != nil || v != nil || len(p.actions("participant.verified")) != 0 {
		t.Fatalf("a refused verification was written: %+v %v", v, err)
	}

	got, err := p.verify("o-parent", parentBooking, strings.ToLower(p.number(1)))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Verified || got.ParticipantID != child.ID || got.VerifiedBy != p.staff.Sub || !got.VerifiedAt.Equal(p.clock.now()) {
		t.Errorf("verified %+v", got)
	}
	if pt, err := p.st.GetParticipant(ctx, child.Account, child.ID); err != nil || !pt.Verified || pt.VerifiedAt == nil {
		t.Errorf("the parent's participant after verification: %+v %v", pt, err)
	}
	if pt, err := p.st.GetParticipant(ctx, borrowed.Account, borrowed.ID); err != nil || pt.Verified {
		t.Errorf("the stranger's participant shows verified: %+v %v", pt, err)
	}

	// The stranger's booking is cancelled by the system; its place went to the line.
	sb := p.booking(strangerBooking)
	if sb.Status != domain.BookingCancelled || sb.CancelledBy != store.BySystem || sb.CancelReason == "" {
		t.Errorf("the stranger's booking: %s by %q (%q)", sb.Status, sb.CancelledBy, sb.CancelReason)
	}
	if q := p.booking(queued); q.Status != domain.BookingConfirmed {
		t.Errorf("the head of the line is %s after the place was freed", q.Status)
	}
	if pb := p.booking(parentBooking); pb.Status != domain.BookingConfirmed {
		t.Errorf("the parent's own booking is %s", pb.Status)
	}
	// The stranger is told why (once), and the head of the line that the
	// freed place is theirs, each in the ending's own write.
	told := func() []string {
		var out []string
		for _, n := range dbtest.Told(t, p.st) {
			if strings.HasPrefix(n, string(notices.VerifiedElsewhere)) || strings.HasPrefix(n, string(notices.Promoted)) {
				out = append(out, n)
			}
		}
		return out
	}
	want := []string{"promoted " + queued.Account + " " + queued.ID, "verified_elsewhere " + borrowed.Account + " " + strangerBooking.ID}
	if got := told(); !slices.Equal(got, want) {
		t.Fatalf("told %q, want %q", got, want)
	}
	outbox, err := p.st.OutboxEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.actions("participant.verified")); n != 1 {
		t.Errorf("%d participant.verified records", n)
	}
	cancels := p.actions("booking.cancel")
	if len(cancels) != 1 || cancels[0].Actor != store.BySystem || cancels[0].Target != strangerBooking.ID {
		t.Errorf("cancellation audit: %+v", cancels)
	}
	for _, a := range p.actions("participant.verified") {
		if strings.Contains(string(a.After), p.number(1)) {
			t.Errorf("the audit record holds the ID number: %s", a.After)
		}
	}
	if r, v := p.counts(); r != 3 || v != 1 {
		t.Errorf("city counts registered %d verified %d, want 3 and 1", r, v)
	}

	// What the stranger is told names nothing of the parent's.
	_, bookErr := p.book(borrowed, "o-later")
	_, regErr := p.register("acc-stranger-2", 1)
	secrets := []string{"o-parent", "acc-parent", child.ID, parentBooking.ID, p.c.Name, "锡青夜校 · 测试课程 o-parent"}
	for what, err := range map[string]error{"booking": bookErr, "registering": regErr} {
		e, ok := err.(*apperr.Error)
		if !ok || e.Code != apperr.Conflict || e.Text != domain.Refused(domain.RuleVerifiedElsewhere).Text {
			t.Errorf("the stranger %s the child again: %v, want the verified-elsewhere conflict", what, err)
			continue
		}
		for _, s := range secrets {
			if strings.Contains(e.Text.ZH+e.Text.EN, s) {
				t.Errorf("the refusal of %s names %q", what, s)
			}
		}
	}
	for _, n := range outbox {
		text, _ := n.Text()
		for _, s := range secrets {
			if strings.Contains(text.ZH+text.EN, s) {
				t.Errorf("the message names %q: %s", s, text)
			}
		}
	}
	if _, err := p.book(child, "o-later"); err != nil {
		t.Errorf("the parent books: %v", err)
	}

	// Roster: the parent's booking shows verified.
	ro, err := p.admin.Roster(ctx, p.staff, "o-parent", "json")
	if err != nil || len(ro.Entries) != 1 || !ro.Entries[0].Verified {
		t.Errorf("roster %+v %v", ro.Entries, err)
	}

	// Again: the same answer, nothing written twice.
	again, err := p.verify("o-parent", parentBooking, p.number(1))
	if err != nil || !again.VerifiedAt.Equal(got.VerifiedAt) {
		t.Errorf("verifying again: %+v %v", again, err)
	}
	if got := told(); !slices.Equal(got, want) {
		t.Errorf("verifying again: told %q, want %q", got, want)
	}
	if r, v := p.counts(); r != 3 || v != 1 || len(p.actions("participant.verified")) != 1 {
		t.Errorf("verifying again wrote: registered %d verified %d", r, v)
	}
}

// TestVerificationResumes: a verification whose request stopped after its
// own write (the other account's booking still active) is finished by
// verifying again; verifying the identity at the other account's booking
// is a conflict.
func TestVerificationResumes(t *testing.T) {
	ctx := context.Background()
	p := newPeople(t)
	p.offering("o1", 5)
	p.offering("o2", 5)
	child := p.mustRegister("acc-parent", 1)
	borrowed := p.mustRegister("acc-stranger", 1)
	pb := p.mustBook(child, "o1")
	sb := p.mustBook(borrowed, "o2")
	// The transaction VerifyIdentity writes, and nothing after it.
	now := p.clock.now()
	if err := p.st.VerifyIdentity(ctx, child.Identity, store.Verification{Account: child.Account, ParticipantID: child.ID, CentreID: p.c.ID,
		BookingID: pb.ID, Staff: p.staff.Sub, Document: "passport", VerifiedAt: now},
		store.Audit(p.c.ID, p.staff.Sub, "participant.verified", pb.ID, nil, nil, now)); err != nil {
		t.Fatal(err)
	}
	if p.booking(sb).Status != domain.BookingConfirmed {
		t.Fatal("the setup cancelled already")
	}
	if _, err := p.verify("o2", sb, p.number(1)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("verifying for the stranger's account: %v, want conflict", err)
	}
	if _, err := p.verify("o1", pb, p.number(1)); err != nil {
		t.Fatal(err)
	}
	if got := p.booking(sb); got.Status != domain.BookingCancelled || got.CancelledBy != store.BySystem {
		t.Errorf("the stranger's booking after resuming: %s by %s", got.Status, got.CancelledBy)
	}
	if _, v := p.counts(); v != 1 {
		t.Errorf("verified %d, want 1", v)
	}
}

// TestBookingRacesVerification: a stranger's booking sent while staff
// verify the child either lands first (and the verification cancels it)
// or is refused; either way the stranger holds nothing afterwards.
func TestBookingRacesVerification(t *testing.T) {
	ctx := context.Background()
	p := newPeople(t)
	const rounds = 12
	for i := range rounds {
		seq := 10 + i
		parentOffering, strangerOffering := fmt.Sprintf("p%d", i), fmt.Sprintf("s%d", i)
		p.offering(parentOffering, 5)
		p.offering(strangerOffering, 5)
		child := p.mustRegister(fmt.Sprintf("parent-%d", i), seq)
		borrowed := p.mustRegister(fmt.Sprintf("stranger-%d", i), seq)
		pb := p.mustBook(child, parentOffering)
		var wg sync.WaitGroup
		var bookErr, verifyErr error
		wg.Go(func() { _, bookErr = p.book(borrowed, strangerOffering) })
		wg.Go(func() { _, verifyErr = p.verify(parentOffering, pb, p.number(seq)) })
		wg.Wait()
		if verifyErr != nil {
			t.Fatalf("round %d: verify: %v", i, verifyErr)
		}
		if bookErr != nil && !apperr.Is(bookErr, apperr.Conflict) {
			t.Fatalf("round %d: the stranger's booking: %v", i, bookErr)
		}
		holds, err := p.st.HoldsOf(ctx, child.Identity)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range holds {
			if h.Account != child.Account {
				t.Errorf("round %d: the stranger still holds %s (booking error %v)", i, h.OfferingID, bookErr)
			}
		}
		if o, err := p.st.GetOffering(ctx, strangerOffering); err != nil || o.Confirmed != 0 {
			t.Errorf("round %d: %d confirmed on the stranger's offering", i, o.Confirmed)
		}
	}
}

// beforeWrite runs hook once, just before the first TransactWriteItems
// that puts a booking is sent: between a booking's read and its write.
type beforeWrite struct {
	once sync.Once
	hook func()
}

func (bw *beforeWrite) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("test/before-write",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if tx, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok && putsBooking(tx) && bw.hook != nil {
					bw.once.Do(bw.hook)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

func putsBooking(tx *dynamodb.TransactWriteItemsInput) bool {
	for _, it := range tx.TransactItems {
		if it.Put != nil {
			if sk, ok := it.Put.Item["SK"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(sk.Value, "BOOKING#") {
				return true
			}
		}
	}
	return false
}

// TestBookingReadBeforeVerificationWrittenAfter: the stranger's booking
// reads everything before the child is verified and writes after the
// verification has finished (cancellations included). The check in the
// booking's own write refuses it; a check from its read would let it in,
// active beside the verified parent's.
func TestBookingReadBeforeVerificationWrittenAfter(t *testing.T) {
	ctx := context.Background()
	bw := &beforeWrite{}
	p := newPeople(t, bw.option)
	p.offering("o-parent", 5)
	p.offering("o-stranger", 5)
	child := p.mustRegister("acc-parent", 1)
	borrowed := p.mustRegister("acc-stranger", 1)
	pb := p.mustBook(child, "o-parent")
	var verifyErr error
	bw.hook = func() { _, verifyErr = p.verify("o-parent", pb, p.number(1)) }
	bw.once = sync.Once{}
	_, err := p.book(borrowed, "o-stranger")
	if verifyErr != nil {
		t.Fatal(verifyErr)
	}
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("the stranger's booking written after the verification: %v, want conflict", err)
	}
	if o, err := p.st.GetOffering(ctx, "o-stranger"); err != nil || o.Confirmed != 0 {
		t.Errorf("%d confirmed on the stranger's offering (%v)", o.Confirmed, err)
	}
}

// TestRosterAudited: every view (json) and download (csv, xlsx) of a roster
// is in the centre's audit log with who, when and which offering; when the
// record cannot be written, the roster is not given.
func TestRosterAudited(t *testing.T) {
	ctx := context.Background()
	inj := &faults.Injector{}
	p := newPeople(t, inj.Option)
	p.offering("o1", 5)
	p.mustBook(p.mustRegister("acc", 1), "o1")
	for _, tt := range []struct{ format, action string }{{"json", "roster.viewed"}, {"csv", "roster.exported"}, {"xlsx", "roster.exported"}} {
		p.clock.t = p.clock.t.Add(time.Minute) // the log is newest first
		before := len(p.actions(tt.action))
		ro, err := p.admin.Roster(ctx, p.staff, "o1", tt.format)
		if err != nil || len(ro.Entries) != 1 {
			t.Fatalf("%s: %v", tt.format, err)
		}
		got := p.actions(tt.action)
		if len(got) != before+1 {
			t.Fatalf("%s: %d %s records, want %d", tt.format, len(got), tt.action, before+1)
		}
		a := got[0] // newest first
		if a.Actor != p.staff.Sub || a.Target != "o1" || !a.At.Equal(p.clock.now()) || !strings.Contains(string(a.After), `"format":"`+tt.format+`"`) {
			t.Errorf("%s: audit %+v %s", tt.format, a, a.After)
		}
	}
	inj.Fail("PutItem", 0, faults.Error("ThrottlingException"))
	if ro, err := p.admin.Roster(ctx, p.staff, "o1", "csv"); !apperr.Is(err, apperr.Unavailable) || len(ro.Entries) != 0 {
		t.Errorf("with the audit record failing: %d entries, %v; want none and unavailable", len(ro.Entries), err)
	}
}
