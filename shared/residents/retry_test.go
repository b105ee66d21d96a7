package residents_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// faultyFixture is newFixture on a client with a fault injector.
func faultyFixture(t *testing.T) (*fixture, *faults.Injector) {
	inj := &faults.Injector{}
	f := newFixture(t)
	st, _ := dbtest.Store(t, inj.Option)
	f.st, f.svc = st, &residents.Service{Store: st, Now: f.svc.Now}
	if err := st.PutCentre(context.Background(), f.centre, false); err != nil {
		t.Fatal(err)
	}
	return f, inj
}

// TestOnlyContentionIsRetried: a booking whose write is throttled or
// invalid answers after one write (503 with Retry-After, or a 500), where
// it used to count as contention and write 40 times; a lost race is still
// read and written again, and lands.
func TestOnlyContentionIsRetried(t *testing.T) {
	offering := faults.Key("OFFERING#o", "OFFERING")
	for _, c := range []struct {
		name   string
		code   string
		times  int
		want   apperr.Code // "" for a booking made
		writes int
	}{
		{"throttled", "ThrottlingError", 0, apperr.Unavailable, 1},
		{"over provisioned throughput", "ProvisionedThroughputExceeded", 0, apperr.Unavailable, 1},
		{"validation error", "ValidationError", 0, apperr.Internal, 1},
		{"two conflicts, then it lands", "TransactionConflict", 2, "", 3},
		{"offering changed twice, then it lands", "ConditionalCheckFailed", 2, "", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, inj := faultyFixture(t)
			f.offering("o", 5)
			p := f.person("a", 1)
			inj.Fail("TransactWriteItems", c.times, faults.Cancelled(faults.Reason{Code: c.code, Pick: offering}))
			b, err := f.book(p, "o", false)
			injected := inj.Hits("TransactWriteItems")
			writes := injected
			if err == nil {
				writes++ // the one that landed
			}
			if writes != c.writes {
				t.Fatalf("%d writes, want %d", writes, c.writes)
			}
			if c.want == "" {
				if err != nil || b.Status != domain.BookingConfirmed {
					t.Fatalf("%+v %v", b, err)
				}
				return
			}
			e, ok := errors.AsType[*apperr.Error](err)
			if !ok || e.Code != c.want || (c.want == apperr.Unavailable && e.RetryAfter < 1) {
				t.Fatalf("answered %v, want %s", err, c.want)
			}
		})
	}
}

// TestPersistentConflictAnswersBeforeTheDeadline: a booking that keeps
// losing answers 503 while its request still has the policy's reserve
// left, instead of trying 40 times or running into the deadline; and a
// request whose context is cancelled stops after the attempt in flight.
func TestPersistentConflictAnswersBeforeTheDeadline(t *testing.T) {
	f, inj := faultyFixture(t)
	f.offering("o", 5)
	p := f.person("a", 1)
	inj.Fail("TransactWriteItems", 0, faults.Cancelled(faults.Reason{Code: "TransactionConflict", Pick: faults.Any}))

	// The policy's reserve is 1 s; the request has 1.5 s. Measured against
	// the deadline, which is real time.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	_, err := f.svc.Book(ctx, residents.Request{Account: p.Account, OfferingID: "o", ParticipantID: p.ID})
	left := time.Until(deadline)
	if e, ok := errors.AsType[*apperr.Error](err); !ok || e.Code != apperr.Unavailable || e.RetryAfter < 1 {
		t.Fatalf("answered %v", err)
	}
	if left < retry.Default.Reserve/2 {
		t.Fatalf("answered with %v left before the deadline", left)
	}
	if n := inj.Hits("TransactWriteItems"); n >= retry.Default.MaxAttempts {
		t.Fatalf("%d writes", n)
	}
	t.Logf("gave up after %d writes with %v left", inj.Hits("TransactWriteItems"), left.Round(time.Millisecond))

	inj.Clear()
	ctx, cancel = context.WithCancel(context.Background())
	inj.Fail("TransactWriteItems", 0, func(in any) error {
		cancel() // the client went away while the write was in flight
		return faults.Cancelled(faults.Reason{Code: "TransactionConflict", Pick: faults.Any})(in)
	})
	if _, err := f.svc.Book(ctx, residents.Request{Account: p.Account, OfferingID: "o", ParticipantID: p.ID}); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("cancelled: %v", err)
	}
	if n := inj.Hits("TransactWriteItems"); n != 1 {
		t.Fatalf("cancelled request wrote %d times", n)
	}
}

// TestRetryDecidesFromTheRules: a booking that lost a race (a conflict on
// the person item, which reports no item, or the offering's counters
// moved) reads the person again before writing again, and is refused for
// the rule it breaks there (the term limit, the offering held) without a
// second write; one that breaks none writes again and lands.
func TestRetryDecidesFromTheRules(t *testing.T) {
	limit := func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2 }
	for _, c := range []struct {
		name   string
		before []string // offerings booked first
		book   string
		code   string // the cancellation reason of the first write
		item   string // its item: the person or the offering
		want   apperr.Code
		again  int // the writes after the cancelled one
	}{
		{"conflict on the person, at the limit", []string{"a", "b"}, "c", "TransactionConflict", "person", apperr.TermLimitReached, 0},
		{"offering changed, at the limit", []string{"a", "b"}, "c", "ConditionalCheckFailed", "offering", apperr.TermLimitReached, 0},
		{"conflict on the person, already held", []string{"a"}, "a", "TransactionConflict", "person", apperr.AlreadyBooked, 0},
		{"conflict on the person, below the limit", []string{"a"}, "c", "TransactionConflict", "person", "", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, inj := faultyFixture(t)
			for _, id := range []string{"a", "b", "c"} {
				f.offering(id, 5, limit)
			}
			p := f.person("acc", 1)
			for _, id := range c.before {
				if _, err := f.book(p, id, false); err != nil {
					t.Fatal(err)
				}
			}
			pick := faults.Key("OFFERING#"+c.book, "OFFERING")
			if c.item == "person" {
				pick = faults.Key("IDENTITY#"+p.Identity, "PERSON")
			}
			// The first write is cancelled as DynamoDB cancels it in a race;
			// nothing is written.
			inj.Fail("TransactWriteItems", 1, faults.Cancelled(faults.Reason{Code: c.code, Pick: pick}))
			ctx, tally := dbcalls.With(context.Background())
			_, err := f.svc.Book(ctx, residents.Request{Account: p.Account, OfferingID: c.book, ParticipantID: p.ID})
			if inj.Hits("TransactWriteItems") != 1 {
				t.Fatalf("the fault was not met: %d hits", inj.Hits("TransactWriteItems"))
			}
			// The injector answers the first write before it is counted.
			calls := tally.Snapshot()
			if calls["TransactWriteItems"] != c.again || calls["GetItem"] != 1 {
				t.Fatalf("calls %v after the cancelled write: want %d writes and the person read once", calls, c.again)
			}
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !apperr.Is(err, c.want) {
				t.Fatalf("answered %v, want %s", err, c.want)
			}
		})
	}
}
