package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/signin"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// sent is GET /_local/messages and /_local/events: what the dispatcher sent.
func (e *env) sent() ([]channels.Sent, []citybus.Event) {
	e.t.Helper()
	var msgs struct{ Items []channels.Sent }
	var evs struct{ Items []citybus.Event }
	r := e.do("GET", "/_local/messages", "", nil)
	e.expect(r, 200, "")
	if err := json.Unmarshal(r.body, &msgs); err != nil {
		e.t.Fatal(err)
	}
	r = e.do("GET", "/_local/events", "", nil)
	e.expect(r, 200, "")
	if err := json.Unmarshal(r.body, &evs); err != nil {
		e.t.Fatal(err)
	}
	return msgs.Items, evs.Items
}

func (e *env) dispatch() {
	e.t.Helper()
	e.expect(e.do("POST", "/_local/schedule/DispatcherFunction", "", nil), 200, "")
}

// TestDispatchPromotion: a cancellation promotes the next in line (through
// the routes); the dispatcher's run sends the promoted resident one SMS, to
// the verified demo phone, in Chinese with English beside it, and publishes
// the promotion on the bus with ids only; running it again sends nothing
// more. (Needs the producers' notices, helper A's branch of issue 12.)
func TestDispatchPromotion(t *testing.T) {
	e := start(t)
	e.offering("o-dispatch", 1)
	aTok, aPart, _ := e.resident("disp-a")
	bTok, bPart, _ := e.resident("disp-b")
	booked := e.book(aTok, "o-dispatch", aPart, false)
	e.expect(booked, 201, "")
	e.expect(e.book(bTok, "o-dispatch", bPart, true), 201, "")
	e.expect(e.do("POST", "/v1/me/bookings/"+booked.str("id")+"/cancel", aTok, nil), 200, "")
	e.dispatch()
	e.dispatch()
	msgs, evs := e.sent()
	var toB []channels.Sent
	for _, m := range msgs {
		if m.Account == "disp-b" {
			toB = append(toB, m)
		}
	}
	if len(toB) != 1 || toB[0].Event != string(notices.Promoted) || toB[0].Channel != "sms" || toB[0].To != localcognito.DemoPhone("disp-b") || toB[0].Text == "" {
		t.Fatalf("messages to the promoted resident: %+v (all: %+v)", toB, msgs)
	}
	var promoted []citybus.Event
	for _, ev := range evs {
		if ev.DetailType == "enrol.booking.promoted" {
			promoted = append(promoted, ev)
		}
	}
	if len(promoted) != 1 || promoted[0].Source != notices.Source || promoted[0].Detail.Account != "disp-b" || promoted[0].Detail.OfferingID != "o-dispatch" {
		t.Fatalf("promotion events %+v (all: %+v)", promoted, evs)
	}
}

// TestDispatchDrainsTheOutbox: a notice in the outbox reaches
// /_local/messages and /_local/events by the dispatcher's run, and the
// resident's message record; the outbox is then empty. A resident with no
// user left in the pool (so no verified address) is a dead letter that
// officers see, with the sub and no personal data.
func TestDispatchDrainsTheOutbox(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	n := notices.New(notices.OfferingCancelled, e.st.Now())
	n.Account, n.OfferingID, n.Title, n.FirstSession = "disp-c", "o-gone", "周末亲子班", "2026-09-05"
	gone := notices.New(notices.Reminder, e.st.Now())
	gone.Account, gone.OfferingID, gone.Title, gone.FirstSession = "disp-gone", "o-gone", "周末亲子班", "2026-09-05"
	for _, x := range []notices.Notice{n, gone} {
		if err := e.st.Store.PutNotice(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	pool, err := signin.NewClient(ctx, config.Config{Region: "cn-north-1", CognitoEndpoint: e.st.Cognito.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &e.st.Cognito.PoolID, Username: &gone.Account}); err != nil {
		t.Fatal(err)
	}
	e.dispatch()
	msgs, evs := e.sent()
	if len(msgs) != 1 || msgs[0].Key != n.ID+"#sms" || msgs[0].To != localcognito.DemoPhone("disp-c") {
		t.Fatalf("messages %+v", msgs)
	}
	if len(evs) != 1 || evs[0].DetailType != "enrol.booking.cancelled" || evs[0].Detail.ID != n.ID {
		t.Fatalf("events %+v", evs)
	}
	if recs, err := e.st.Store.ListMessages(ctx, "disp-c"); err != nil || len(recs) != 1 || recs[0].Status != "sent" {
		t.Fatalf("message records %+v %v", recs, err)
	}
	if left, err := e.st.Store.OutboxEntries(ctx); err != nil || len(left) != 0 {
		t.Fatalf("outbox %+v %v", left, err)
	}
	r := e.do("GET", "/v1/city/message-failures", e.officerToken(), nil)
	e.expect(r, 200, "")
	var failures struct{ Items []map[string]any }
	if err := json.Unmarshal(r.body, &failures); err != nil || len(failures.Items) != 1 {
		t.Fatalf("failures %s %v", r.body, err)
	}
	if f := failures.Items[0]; f["id"] != gone.ID || f["account"] != "disp-gone" || f["event"] != "reminder" || f["reason"] != "no verified contact" {
		t.Fatalf("failure %v", f)
	}
	if recs, err := e.st.Store.ListMessages(ctx, "disp-gone"); err != nil || len(recs) != 1 || recs[0].Status != "failed" {
		t.Fatalf("the resident's failed message %+v %v", recs, err)
	}
}

// expectPromotedToldOnce raises offering o's capacity to capacity and
// checks that exactly the bookings it confirms are told, each once, by
// message and on the bus, and nobody else is sent anything of it.
func (e *env) expectPromotedToldOnce(o string, capacity int) {
	t := e.t
	t.Helper()
	ctx := context.Background()
	status := func() map[string]domain.BookingStatus {
		t.Helper()
		bs, next, err := e.st.Store.RosterPage(ctx, o, paging.Page{Limit: 500})
		if err != nil || next != "" {
			t.Fatalf("roster: next %q (%v)", next, err)
		}
		out := map[string]domain.BookingStatus{}
		for _, b := range bs {
			out[b.Account] = b.Status
		}
		return out
	}
	staff := e.tokenFor("staff", []string{"centre-staff"}, e.centre.ID)
	before := status()
	e.expect(e.do("PATCH", "/v1/offerings/"+o, staff, map[string]any{"capacity": capacity}), 200, "")
	promoted := map[string]bool{}
	for account, st := range status() {
		if st == domain.BookingConfirmed && before[account] == domain.BookingWaitlisted {
			promoted[account] = true
		}
	}
	e.dispatch()
	e.dispatch()
	msgs, evs := e.sent()
	got, events := map[string]int{}, map[string]int{}
	for _, m := range msgs {
		if m.Event == string(notices.Promoted) && !promoted[m.Account] {
			t.Fatalf("a promotion message to someone not promoted: %+v", m)
		}
		got[m.Account]++
	}
	for _, ev := range evs {
		if ev.DetailType == "enrol.booking.promoted" {
			events[ev.Detail.Account]++
		}
	}
	var wrong []string
	for account := range promoted {
		if got[account] != 1 || events[account] != 1 {
			wrong = append(wrong, fmt.Sprintf("%s: %d messages, %d events", account, got[account], events[account]))
		}
	}
	if len(wrong) > 0 || len(msgs) != len(promoted) {
		t.Fatalf("%d promoted, %d messages in all; %d not told exactly once, e.g. %v", len(promoted), len(msgs), len(wrong), wrong)
	}
	t.Logf("capacity raised to %d: %d promoted, %d messages, %d events in all", capacity, len(promoted), len(msgs), len(evs))
}

// toldOnce runs the dispatcher and checks that account was sent exactly one
// message of event, on the local channel and in its own list
// (GET /v1/me/messages), Chinese then English.
func (e *env) toldOnce(tok, account string, event notices.Event) {
	e.t.Helper()
	e.dispatch()
	msgs, _ := e.sent()
	n := 0
	for _, m := range msgs {
		if m.Account == account && m.Event == string(event) {
			n++
		}
	}
	if n != 1 {
		e.t.Fatalf("%s was sent %d %s messages, want 1: %+v", account, n, event, msgs)
	}
	list := e.do("GET", "/v1/me/messages", tok, nil)
	e.expect(list, 200, "")
	n = 0
	for _, it := range list.json["items"].([]any) {
		m := it.(map[string]any)
		if m["event"] == string(event) {
			n++
			if text, _ := m["text"].(string); !strings.Contains(text, " / ") || m["status"] != "sent" {
				e.t.Fatalf("%s's %s message %v", account, event, m)
			}
		}
	}
	if n != 1 {
		e.t.Fatalf("%s lists %d %s messages, want 1: %s", account, n, event, list.body)
	}
}

// TestEveryEventReachesTheResident: the centre cancelling an offering, and
// the reminder the day before the first session, each reach the resident
// they concern through the dispatcher. Promotions are TestDispatchPromotion's
// and the burst's, no-show blocks TestAttendanceAndNoShows's, offers
// TestOffersWithADeadline's, draw results TestLotteryFromCreationToAcceptance's.
func TestEveryEventReachesTheResident(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-ev", []string{"centre-staff"}, e.centre.ID)

	e.offering("o-cancel", 5)
	xTok, xP, _ := e.resident("ev-x")
	e.expect(e.book(xTok, "o-cancel", xP, false), 201, "")
	e.expect(e.do("POST", "/v1/offerings/o-cancel/cancel", staff, map[string]any{"reason": "场地维修"}), 200, "")
	e.toldOnce(xTok, "ev-x", notices.OfferingCancelled)

	tomorrow := e.st.Now().In(domain.CityZone).AddDate(0, 0, 1).Format(time.DateOnly)
	e.offering("o-tomorrow", 5, func(o *domain.Offering) {
		o.Term, o.StartsOn, o.EndsOn = "2027-spring", tomorrow, e.st.Now().AddDate(0, 2, 0).Format(time.DateOnly)
		o.Schedule.Sessions = []string{tomorrow}
	})
	yTok, yP, _ := e.resident("ev-y")
	e.expect(e.book(yTok, "o-tomorrow", yP, false), 201, "")
	e.expect(e.do("POST", "/_local/schedule/RemindersFunction", "", nil), 200, "")
	e.expect(e.do("POST", "/_local/schedule/RemindersFunction", "", nil), 200, "") // a second run reminds nobody again
	e.toldOnce(yTok, "ev-y", notices.Reminder)
}

// bookingNotice waits, up to 20 s, for a booking's own notice to reach the
// outbox from the table's stream (the dispatcher's BookingStream), and
// returns it.
func (e *env) bookingNotice(bookingID string) store.OutboxEntry {
	e.t.Helper()
	return e.bookingNotices(bookingID)[0]
}

// bookingNotices waits, up to 60 s, for the notices of bookings ids, and
// returns them in that order.
func (e *env) bookingNotices(ids ...string) []store.OutboxEntry {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		es, err := e.st.Store.OutboxEntries(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		byID := map[string]store.OutboxEntry{}
		for _, n := range es {
			byID[n.ID] = n
		}
		out := make([]store.OutboxEntry, 0, len(ids))
		for _, id := range ids {
			if n, ok := byID[store.BookingNoticeID(id)]; ok {
				out = append(out, n)
			}
		}
		if len(out) == len(ids) {
			return out
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d of %d bookings' notices in the outbox after 60 s (stream failures %+v)", len(out), len(ids), e.st.StreamFailures())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDispatchBookingNotices: a booking's own notice comes from the table's
// stream: the stack's stand-in for the event source mapping hands the new
// booking to the dispatcher's stream handler, which puts its notice in the
// outbox, and the dispatcher's run publishes it on the bus, confirmed or
// waitlisted, once, under the notice's id. The stream handler's first put
// of the second notice lands but its answer is cut, so the record is
// delivered again: still one notice, one event.
func TestDispatchBookingNotices(t *testing.T) {
	e := start(t, func(o *local.Options) { o.Faults = "0%" }) // the injector, without rules until the residents are in
	e.offering("o-notice", 1)
	aTok, aPart, _ := e.resident("notice-a")
	bTok, bPart, _ := e.resident("notice-b")
	a := e.book(aTok, "o-notice", aPart, false)
	e.expect(a, 201, "")
	e.bookingNotice(a.str("id"))
	puts := e.st.Faults().Calls("PutItem")
	e.st.Faults().At(0, faults.Cut, "PutItem") // the next put, the stream handler's
	b := e.book(bTok, "o-notice", bPart, true)
	e.expect(b, 201, "")
	e.bookingNotice(b.str("id"))
	if got := e.st.Faults().Injected()[faults.Cut]; got != 1 {
		t.Fatalf("%d puts cut, want the stream handler's first", got)
	}
	// The record comes again while its notice waits in the outbox: wait for
	// that second put before the drain. (One delivered again after the drain
	// sent and deleted the notice puts it again: the at-least-once window
	// DESIGN.md names, which a slower emulator opened here before.)
	for deadline := time.Now().Add(30 * time.Second); e.st.Faults().Calls("PutItem") < puts+2; {
		if time.Now().After(deadline) {
			t.Fatalf("the stream handler's put was not tried again (%d puts)", e.st.Faults().Calls("PutItem")-puts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.dispatch()
	e.dispatch()
	_, evs := e.sent()
	got := map[string]int{}
	for _, ev := range evs {
		got[ev.DetailType+" "+ev.Detail.Account+" "+ev.Detail.BookingID+" "+ev.Detail.ID]++
	}
	want := map[string]int{
		"enrol.booking.confirmed notice-a " + a.str("id") + " " + store.BookingNoticeID(a.str("id")):  1,
		"enrol.booking.waitlisted notice-b " + b.str("id") + " " + store.BookingNoticeID(b.str("id")): 1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v\nwant %v", got, want)
	}
	if f := e.st.StreamFailures(); len(f) != 0 {
		t.Fatalf("stream batches given up: %+v", f)
	}
}
