package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// outcome names what a store write answered, for comparing with a table.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, store.ErrContention):
		return "retry"
	}
	e, ok := errors.AsType[*apperr.Error](err)
	if !ok {
		return "raw error: " + err.Error()
	}
	if e.Code == apperr.Unavailable && e.RetryAfter < 1 {
		return "unavailable without Retry-After"
	}
	return string(e.Code)
}

// TestTransactionOutcomes injects DynamoDB's cancellation reasons into each
// kind of transaction, through the real client against the embedded
// server, and checks the one table: conflicts and failed conditions on
// contended items retry, broken rules are answered, throttling is 503 with
// Retry-After, anything else a 500 that keeps its cause for the log.
func TestTransactionOutcomes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone)
	var inj faults.Injector
	st, _ := dbtest.Store(t, inj.Option)
	centre := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(ctx, centre, false); err != nil {
		t.Fatal(err)
	}
	o := dbtest.Offering("o1", centre, 2, now, func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2 })
	if err := st.PutOffering(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	booking := func(id string, status domain.BookingStatus) domain.Booking {
		return domain.Booking{ID: id, OfferingID: o.ID, Offering: domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
			ParticipantID: "p-" + id, Status: status, CreatedAt: now, UpdatedAt: now,
			Account: "acc", Identity: "identity-" + id, Term: o.Term, Stamp: now.UnixNano()}
	}
	// A booking requires its participant, and passes on its retention as
	// read (a year after registering: later than the offering's end).
	for _, id := range []string{"held", "new"} {
		if err := st.CreateParticipant(ctx, domain.Participant{ID: "p-" + id, Name: "测试", BirthDate: "1995-03-01", IDNumberLast4: "0012",
			Account: "acc", Identity: "identity-" + id, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	held := booking("held", domain.BookingConfirmed)
	fcfs := allocation.FirstComeFirstServed{}
	place := func(o domain.Offering) allocation.Change {
		c, err := fcfs.Place(o, false)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := st.CreateBooking(ctx, store.NewBooking{Booking: held, Offering: o, Change: place(o)}); err != nil {
		t.Fatal(err)
	}
	o.Confirmed = 1

	offering := faults.Key("OFFERING#o1", "OFFERING")
	// One item, the person item, holds the offerings booked, counts them
	// and names the participant and who verified the person: which rule
	// failed is read from the item as it stood.
	person := faults.Key("IDENTITY#identity-new", "PERSON")
	active, term := person, person
	live := &types.AttributeValueMemberS{Value: "p-new"}
	heldO1 := map[string]types.AttributeValue{"live#acc": live,
		"held#o1": &types.AttributeValueMemberS{Value: "acc|held"}, "active#evening_course#" + o.Term: &types.AttributeValueMemberN{Value: "1"}}
	atLimit := map[string]types.AttributeValue{"live#acc": live, "active#evening_course#" + o.Term: &types.AttributeValueMemberN{Value: "2"}}
	blocked := map[string]types.AttributeValue{"live#acc": live, "active#evening_course#" + o.Term: &types.AttributeValueMemberN{Value: "2"},
		"blocked_until#evening_course#" + o.Term: &types.AttributeValueMemberS{Value: "2026-01-31"}, "block_absences#evening_course#" + o.Term: &types.AttributeValueMemberN{Value: "2"}}
	heldBooking := faults.Key("ACCOUNT#acc", "BOOKING#held")
	reason := func(code string, pick func(types.TransactWriteItem) bool) faults.Reason {
		return faults.Reason{Code: code, Pick: pick}
	}
	book := func() error {
		return st.CreateBooking(ctx, store.NewBooking{Booking: booking("new", domain.BookingConfirmed), Offering: o, Change: place(o)})
	}
	cancel := func() error {
		return st.EndBooking(ctx, held, fcfs.Free(held.Status, domain.Offering{}, nil, notices.Notice{}), now, store.Ending{By: store.ByResident})
	}
	edit := func() error {
		after := o
		after.Capacity = 3
		return st.UpdateOffering(ctx, store.OfferingChange{Before: o, After: after, Now: now,
			Audit: store.Audit(centre.ID, "staff", "offering.update", o.ID, o, after, now)})
	}
	attendance := func() error {
		return recordDay(ctx, st, o, store.AttendanceDay{Date: "2025-09-01", Records: map[string]domain.AttendanceStatus{held.ID: domain.Present}, UpdatedBy: "staff", UpdatedAt: now},
			map[string]domain.Booking{held.ID: held}, store.Audit(centre.ID, "staff", "attendance.put", o.ID, nil, nil, now))
	}
	participant := func() error {
		return st.CreateParticipant(ctx, domain.Participant{ID: "p9", Name: "王小明", BirthDate: "1995-03-01", IDNumberLast4: "0012", Account: "acc", Identity: "identity-p9", CreatedAt: now})
	}

	cases := []struct {
		name    string
		write   func() error
		inject  func(any) error
		want    string
		logsFor string // what the error keeps for the log, if it is a 5xx
	}{
		// A booking: every kind of reason, on the item it can be about.
		{"booking: throttled on the offering", book, faults.Cancelled(reason("ThrottlingError", offering)), "unavailable", "ThrottlingError"},
		{"booking: over provisioned throughput", book, faults.Cancelled(reason("ProvisionedThroughputExceeded", active)), "unavailable", "ProvisionedThroughputExceeded"},
		{"booking: validation error", book, faults.Cancelled(reason("ValidationError", offering)), "internal", "ValidationError"},
		{"booking: item collection too large", book, faults.Cancelled(reason("ItemCollectionSizeLimitExceeded", active)), "internal", "ItemCollectionSizeLimitExceeded"},
		{"booking: a code unknown here", book, faults.Cancelled(reason("SomethingNew", offering)), "internal", "SomethingNew"},
		{"booking: conflict on the offering", book, faults.Cancelled(reason("TransactionConflict", offering)), "retry", ""},
		{"booking: offering's condition failed", book, faults.Cancelled(reason("ConditionalCheckFailed", offering)), "retry", ""},
		{"booking: already booked", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: active, Item: heldO1}), "already_booked", ""},
		// One check on the person item: who verified it says which.
		{"booking: participant gone or being erased", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: person,
			Item: map[string]types.AttributeValue{"live#other": &types.AttributeValueMemberS{Value: "p-other"}}}), "retry", ""},
		{"booking: verified by another account", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: person,
			Item: map[string]types.AttributeValue{"account": &types.AttributeValueMemberS{Value: "other"}, "live#acc": &types.AttributeValueMemberS{Value: "p-new"}}}), "conflict", ""},
		{"booking: term limit", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: term, Item: atLimit}), "term_limit_reached", ""},
		// The item as it stood breaks no rule (below the limit, nothing
		// held, no block), or none came back: the refusal is not guessed
		// from which condition failed (it used to be the term limit), the
		// request reads again and decides from the rules.
		{"booking: person's condition failed, no rule broken", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: person,
			Item: map[string]types.AttributeValue{"live#acc": live, "active#evening_course#" + o.Term: &types.AttributeValueMemberN{Value: "1"}}}), "retry", ""},
		{"booking: person's condition failed, no item back", book, faults.Cancelled(reason("ConditionalCheckFailed", person)), "retry", ""},
		{"booking: conflict on the person", book, faults.Cancelled(reason("TransactionConflict", person)), "retry", ""},
		{"booking: no-show block, before the limit", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: term, Item: blocked}), "no_show_blocked", ""},
		{"booking: verified elsewhere, before the block", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: person,
			Item: map[string]types.AttributeValue{"account": &types.AttributeValueMemberS{Value: "other"}, "live#acc": live, "held#o1": heldO1["held#o1"]}}), "conflict", ""},
		// DynamoDB reports every item: a broken rule beats a conflict or
		// throttling elsewhere, an invalid item beats everything.
		{"booking: rule and conflict", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: active, Item: heldO1}, reason("TransactionConflict", offering)), "already_booked", ""},
		{"booking: rule and throttling", book, faults.Cancelled(reason("ThrottlingError", offering), faults.Reason{Code: "ConditionalCheckFailed", Pick: term, Item: atLimit}), "term_limit_reached", ""},
		{"booking: throttling and conflict", book, faults.Cancelled(reason("ThrottlingError", active), reason("TransactionConflict", offering)), "unavailable", "ThrottlingError"},
		{"booking: rule and validation", book, faults.Cancelled(faults.Reason{Code: "ConditionalCheckFailed", Pick: active, Item: heldO1}, reason("ValidationError", offering)), "internal", "ValidationError"},
		// The error itself rather than a reason.
		{"booking: throttled call", book, faults.Error("ThrottlingException"), "unavailable", "ThrottlingException"},
		{"booking: request limit", book, faults.Error("RequestLimitExceeded"), "unavailable", "RequestLimitExceeded"},
		{"booking: DynamoDB's own 500", book, faults.Error("InternalServerError"), "unavailable", "InternalServerError"},
		{"booking: transaction in progress", book, faults.Error("TransactionInProgressException"), "retry", ""},
		{"booking: access denied", book, faults.Error("AccessDeniedException"), "internal", "AccessDeniedException"},
		// A cancellation: every condition is contended.
		{"cancel: booking's status changed", cancel, faults.Cancelled(reason("ConditionalCheckFailed", heldBooking)), "retry", ""},
		{"cancel: conflict", cancel, faults.Cancelled(reason("TransactionConflict", offering)), "retry", ""},
		{"cancel: throttled", cancel, faults.Cancelled(reason("ThrottlingError", heldBooking)), "unavailable", "ThrottlingError"},
		{"cancel: validation error", cancel, faults.Cancelled(reason("ValidationError", heldBooking)), "internal", "ValidationError"},
		// Staff's edit: the offering is contended; the audit record has no
		// condition that may fail.
		{"edit: offering changed", edit, faults.Cancelled(reason("ConditionalCheckFailed", offering)), "retry", ""},
		{"edit: throttled", edit, faults.Cancelled(reason("ThrottlingError", offering)), "unavailable", "ThrottlingError"},
		{"edit: a condition nobody declared", edit, faults.Cancelled(reason("ConditionalCheckFailed", func(it types.TransactWriteItem) bool {
			return it.Put != nil && strings.HasPrefix(it.Put.Item["SK"].(*types.AttributeValueMemberS).Value, "AUDIT#")
		})), "internal", "undeclared"},
		// Writers that do not retry: a conflict is a 503 the client retries.
		{"attendance: conflict", attendance, faults.Cancelled(reason("TransactionConflict", faults.Any)), "unavailable", "TransactionConflict"},
		{"attendance: validation error", attendance, faults.Cancelled(reason("ValidationError", faults.Any)), "internal", "ValidationError"},
		{"participant: registered twice", participant, faults.Cancelled(reason("ConditionalCheckFailed", faults.Key("ACCOUNT#acc", "PARTICIPANT_IDENTITY#identity-p9"))), "conflict", ""},
		{"participant: account full", participant, faults.Cancelled(reason("ConditionalCheckFailed", faults.Key("ACCOUNT#acc", "PARTICIPANT_COUNT"))), "participant_limit", ""},
		{"participant: throttled", participant, faults.Cancelled(reason("ThrottlingError", faults.Any)), "unavailable", "ThrottlingError"},
		// A registration writes the account's count of participants and the
		// city's, which concurrent ones contend for: it goes round again, and lands.
		{"participant: conflict, retried", participant, faults.Error("TransactionConflictException"), "ok", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inj.Clear()
			inj.Fail("TransactWriteItems", 1, c.inject)
			err := c.write()
			if got := outcome(err); got != c.want {
				t.Fatalf("answered %s, want %s (%v)", got, c.want, err)
			}
			if inj.Hits("TransactWriteItems") == 0 {
				t.Fatal("nothing was injected")
			}
			if e, ok := errors.AsType[*apperr.Error](err); ok && e.Code.Status() >= 500 {
				if !strings.Contains(e.Error(), c.logsFor) {
					t.Fatalf("the log line would not say %q: %v", c.logsFor, e)
				}
				for _, leak := range []string{c.logsFor, "Transaction", "OFFERING"} {
					if strings.Contains(e.Text.ZH+e.Text.EN, leak) {
						t.Fatalf("the answer reveals %q: %+v", leak, e.Text)
					}
				}
			}
		})
	}
	// Nothing injected was written: the offering is as it was.
	inj.Clear()
	if got, err := st.GetOffering(ctx, o.ID); err != nil || got.Confirmed != 1 || got.Capacity != 2 {
		t.Fatalf("offering %+v %v", got, err)
	}
}
