package dispatcher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// booking is a booking item's string attributes, as the stream's new image
// has them; edit changes some.
func booking(id, status string, edit ...func(map[string]string)) map[string]string {
	img := map[string]string{"PK": "ACCOUNT#acct-1", "SK": "BOOKING#" + id, "type": "booking", "id": id, "status": status,
		"account": "acct-1", "offering_id": "o1", "centre_id": "c1", "kind": string(domain.Childcare), "term": "2026-spring",
		"offering_title": "阳光托班", "starts_on": "2026-03-09", "created_at": "2026-03-02T01:00:00Z"}
	for _, e := range edit {
		e(img)
	}
	return img
}

// streamEvent is Lambda's event of records (event name and new image), with
// sequence numbers 1, 2, ...
func streamEvent(t *testing.T, records ...any) events.DynamoDBEvent {
	t.Helper()
	var list []map[string]any
	for i := 0; i < len(records); i += 2 {
		img := map[string]any{}
		for k, v := range records[i+1].(map[string]string) {
			img[k] = map[string]string{"S": v}
		}
		list = append(list, map[string]any{"eventID": fmt.Sprint(i), "eventName": records[i], "eventSource": "aws:dynamodb",
			"dynamodb": map[string]any{"SequenceNumber": fmt.Sprintf("%021d", i/2+1), "NewImage": img, "StreamViewType": "NEW_IMAGE"}})
	}
	raw, _ := json.Marshal(map[string]any{"Records": list})
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestStreamAnnouncesNewBookings: of the records the stream handler is
// given, a resident's new confirmed or waitlisted booking becomes its
// notice in the outbox, with the booking's facts and an id made from its
// id; a record delivered twice (in one batch, and the batch again) puts
// one; what the filter should have kept out (a change to a booking, a
// draw's booking, an offer, another item) puts none. The drain then
// publishes each once on the bus, under the notice's id.
func TestStreamAnnouncesNewBookings(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone)
	st, _ := dbtest.Store(t)
	d := lambdafn.Deps{Store: st, Log: slog.New(slog.DiscardHandler), Now: clock.Fixed(now)}
	h := dispatcher.NewStream(d)
	ev := streamEvent(t,
		"INSERT", booking("bk_1", "confirmed"),
		"INSERT", booking("bk_2", "waitlisted"),
		"INSERT", booking("bk_1", "confirmed"), // again
		"MODIFY", booking("bk_3", "confirmed"),
		"INSERT", booking("bkg_4", "waitlisted"), // a draw's
		"INSERT", booking("bk_5", "offered"),
		"INSERT", booking("bk_6", "waitlisted", func(m map[string]string) { m["round_id"] = "r1" }),
		"INSERT", booking("bk_7", "confirmed", func(m map[string]string) { m["type"] = "notice" }),
	)
	for range 2 {
		if resp, err := h(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("%+v %v", resp, err)
		}
	}
	es, err := st.OutboxEntries(ctx)
	if err != nil || len(es) != 2 {
		t.Fatalf("outbox %+v %v, want bk_1's and bk_2's notices", es, err)
	}
	byBooking := map[string]store.OutboxEntry{}
	for _, e := range es {
		byBooking[e.BookingID] = e
	}
	n := byBooking["bk_1"].Notice
	want := notices.Notice{ID: store.BookingNoticeID("bk_1"), Event: notices.BookingConfirmed, At: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC),
		Account: "acct-1", OfferingID: "o1", BookingID: "bk_1", CentreID: "c1", Kind: domain.Childcare, Term: "2026-spring",
		Title: "阳光托班", FirstSession: "2026-03-09"}
	if !n.At.Equal(want.At) || fmt.Sprint(n.Deadline) != fmt.Sprint(want.Deadline) {
		t.Fatalf("notice %+v\nwant %+v", n, want)
	}
	n.At = want.At
	if n != want || byBooking["bk_2"].Event != notices.BookingWaitlisted {
		t.Fatalf("notices %+v\nwant %+v, and bk_2 waitlisted", es, want)
	}
	bus := &citybus.Recorder{Now: d.Now}
	for range 2 {
		if err := dispatcher.NewWith(d, dispatcher.Outlets{Bus: bus})(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, e := range bus.Events() {
		got[e.DetailType+" "+e.Detail.BookingID+" "+e.Detail.ID]++
	}
	if len(got) != 2 || got["enrol.booking.confirmed bk_1 ntc_booked_bk_1"] != 1 || got["enrol.booking.waitlisted bk_2 ntc_booked_bk_2"] != 1 {
		t.Fatalf("bus %v, want each booking once, under the notice's id", got)
	}
}

// TestStreamReportsTheFirstFailure: a notice the outbox refuses (the
// store throttled past its retries) is reported by its record's sequence
// number and the records after it are left for Lambda's retry, which
// then puts each once.
func TestStreamReportsTheFirstFailure(t *testing.T) {
	ctx := context.Background()
	inj := &faults.Injector{}
	st, _ := dbtest.Store(t, inj.Option)
	h := dispatcher.NewStream(lambdafn.Deps{Store: st, Log: slog.New(slog.DiscardHandler)})
	ev := streamEvent(t, "INSERT", booking("bk_1", "confirmed"), "INSERT", booking("bk_2", "confirmed"), "INSERT", booking("bk_3", "waitlisted"))
	inj.Fail("PutItem", 0, func(input any) error {
		if in, ok := input.(*dynamodb.PutItemInput); ok && fmt.Sprint(in.Item["SK"]) == fmt.Sprint(&types.AttributeValueMemberS{Value: store.BookingNoticeID("bk_2")}) {
			return faults.Error("ThrottlingException")(input)
		}
		return nil
	})
	resp, err := h(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[1].Change.SequenceNumber {
		t.Fatalf("%+v %v, want the second record reported", resp, err)
	}
	inj.Clear()
	if resp, err := h(ctx, streamEvent(t, "INSERT", booking("bk_2", "confirmed"), "INSERT", booking("bk_3", "waitlisted"))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("the retry: %+v %v", resp, err)
	}
	if told := dbtest.Told(t, st); fmt.Sprint(told) != "[booking_confirmed acct-1 bk_1 booking_confirmed acct-1 bk_2 booking_waitlisted acct-1 bk_3]" {
		t.Fatalf("outbox %q", told)
	}
}
