package residents_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// announce hands what the table's stream carried since the last call to
// the dispatcher's stream handler, as Lambda would, and then the same
// records again, as Lambda may: the second delivery puts nothing new.
func announce(t *testing.T, st *store.Store, s *dbtest.Stream) {
	t.Helper()
	ev := s.Next()
	h := dispatcher.NewStream(lambdafn.Deps{Store: st, Log: slog.New(slog.DiscardHandler)})
	for range 2 {
		if resp, err := h(context.Background(), ev); err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("stream handler: %+v %v", resp, err)
		}
	}
}

// promotedNotice picks the outbox item of a promotion's notice.
func promotedNotice(it types.TransactWriteItem) bool {
	if it.Put == nil {
		return false
	}
	pk, _ := it.Put.Item["PK"].(*types.AttributeValueMemberS)
	sk, _ := it.Put.Item["SK"].(*types.AttributeValueMemberS)
	return pk != nil && sk != nil && strings.HasPrefix(pk.Value, "OUTBOX#") && strings.HasPrefix(sk.Value, "ntc_promoted_")
}

// TestBookingsAndEndingsAnnouncedOnce: every booking made is one notice
// for the city's bus (confirmed or waitlisted), from the table's stream
// (its records delivered twice), a resident's cancellation one more, and
// the place it frees one promotion to the head of the line, each in the
// change's own write: a write retried after a lost race, a replay under an
// idempotency key, a cancellation repeated, or a refused request adds none.
func TestBookingsAndEndingsAnnouncedOnce(t *testing.T) {
	ctx := context.Background()
	f, inj := faultyFixture(t)
	stream := dbtest.StreamOf(t, f.st)
	f.offering("o", 2)
	var bs []domain.Booking
	for i := range 4 {
		if i == 0 { // the first booking loses two races before it lands
			inj.Fail("TransactWriteItems", 2, faults.Cancelled(faults.Reason{Code: "TransactionConflict", Pick: faults.Any}))
		}
		b, err := f.book(f.person(fmt.Sprintf("acc%d", i), 30+i), "o", true)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	if inj.Hits("TransactWriteItems") != 2 {
		t.Fatalf("%d writes lost, want 2", inj.Hits("TransactWriteItems"))
	}
	inj.Clear()
	line := func(event string, b domain.Booking) string { return event + " " + b.Account + " " + b.ID }
	want := []string{line("booking_confirmed", bs[0]), line("booking_confirmed", bs[1]),
		line("booking_waitlisted", bs[2]), line("booking_waitlisted", bs[3])}
	check := func(when string) {
		t.Helper()
		announce(t, f.st, stream)
		slices.Sort(want)
		if told := dbtest.Told(t, f.st); !slices.Equal(told, want) {
			t.Fatalf("%s: outbox %q\nwant %q", when, told, want)
		}
	}
	check("booked")

	// Refused: the same person again, and a newcomer not joining the line.
	if _, err := f.book(domain.Participant{ID: bs[0].ParticipantID, Account: "acc0"}, "o", true); !apperr.Is(err, apperr.AlreadyBooked) {
		t.Fatalf("the same person again: %v", err)
	}
	if _, err := f.book(f.person("acc9", 39), "o", false); !apperr.Is(err, apperr.OfferingFull) {
		t.Fatalf("full, not joining: %v", err)
	}
	// A replay answers from the first write and writes nothing.
	f.offering("p", 5)
	req := residents.Request{Account: "acc0", OfferingID: "p", ParticipantID: bs[0].ParticipantID, IdempotencyKey: "k"}
	first, err := f.svc.Book(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := f.svc.Book(ctx, req); err != nil || !again.Replayed {
		t.Fatalf("replay %+v %v", again, err)
	}
	want = append(want, line("booking_confirmed", first.Booking))
	check("refused and replayed")

	// A confirmed booking ends: its own notice, and the head of the line is
	// promoted, even when the first write finds the promotion's notice
	// already there (a concurrent ending announced it): read again.
	inj.Fail("TransactWriteItems", 1, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: promotedNotice}))
	if _, err := f.svc.Cancel(ctx, "acc0", bs[0].ID); err != nil {
		t.Fatal(err)
	}
	if inj.Hits("TransactWriteItems") != 1 {
		t.Fatalf("the notice's failed condition was not met: %d", inj.Hits("TransactWriteItems"))
	}
	// Cancelling again changes nothing; a waiting booking ending promotes nobody.
	for _, b := range []domain.Booking{bs[0], bs[3], bs[3]} {
		if _, err := f.svc.Cancel(ctx, b.Account, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	want = append(want, line("booking_cancelled", bs[0]), line("promoted", bs[2]), line("booking_cancelled", bs[3]))
	check("ended")
}

// TestConcurrentBookingsAnnouncedOnce: 30 residents racing for 3 places,
// many writes lost and retried, and every booking is announced exactly
// once, as what it became.
func TestConcurrentBookingsAnnouncedOnce(t *testing.T) {
	f := newFixture(t)
	stream := dbtest.StreamOf(t, f.st)
	const n = 30
	f.offering("hot", 3)
	people := make([]domain.Participant, n)
	for i := range people {
		people[i] = f.person(fmt.Sprintf("r%02d", i), 2000+i)
	}
	results := make([]domain.Booking, n)
	var wg sync.WaitGroup
	for i := range people {
		wg.Go(func() {
			var err error
			if results[i], err = f.book(people[i], "hot", true); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var want []string
	for _, b := range results {
		want = append(want, "booking_"+string(b.Status)+" "+b.Account+" "+b.ID)
	}
	slices.Sort(want)
	announce(t, f.st, stream)
	if told := dbtest.Told(t, f.st); !slices.Equal(told, want) {
		t.Fatalf("outbox %q\nwant %q", told, want)
	}
}
