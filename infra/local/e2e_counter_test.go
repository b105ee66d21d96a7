package local_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// link writes centre's link to account as finding the account by phone
// does (POST /v1/centres/{centre_id}/assisted), holding from at until until.
func (e *env) link(centre, account string, at, until time.Time) {
	e.t.Helper()
	l := store.AssistLink{CentreID: centre, Account: account, Staff: "staff-desk", PhoneLast4: "5678", At: at, Until: until}
	n := notices.New(notices.Event("assisted_at_counter"), at)
	n.Account, n.CentreID = account, centre
	if err := e.st.Store.PutAssistLink(context.Background(), l, store.Audit(centre, "staff-desk", "assist.find", account, nil, map[string]any{"phone_last4": "5678", "created": false}, at), n); err != nil {
		e.t.Fatal(err)
	}
}

// counterPath is the counter's address for account at centre.
func counterPath(centre, account string) string {
	return "/v1/centres/" + centre + "/assisted/" + account
}

// counterRegister registers an adult for account at the counter.
func (e *env) counterRegister(staff, centre, account string) reply {
	e.t.Helper()
	e.seq++
	birth := time.Date(1988, time.Month(1+e.seq%12), 1+e.seq%28, 0, 0, 0, 0, domain.CityZone)
	return e.do("POST", counterPath(centre, account)+"/participants", staff, map[string]any{
		"name": fmt.Sprintf("柜台居民%d", e.seq), "birth_date": birth.Format(domain.DateLayout), "id_number": idnumber.Make("320211", birth, e.seq%1000),
	})
}

// TestCounterJourney: staff at a centre's desk act for a resident found by
// phone (the link written as finding does): register a participant, book
// this centre's offering, list the account's bookings here, cancel; the
// resident sees it all as done by staff, with the booking's code; the
// centre's audit log names the staff member and the account for each
// write. A lapsed link is 409 assist_required; another centre's offering is
// 404 with nothing written.
func TestCounterJourney(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	centre := e.centre.ID
	staff := e.tokenFor("staff-desk", []string{"centre-staff"}, centre)
	e.offering("evening-1", 10)
	other := dbtest.Centre("c-xishan-1", "xishan")
	if err := e.st.Store.PutCentre(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Store.PutOffering(ctx, dbtest.Offering("elsewhere", other, 10, e.st.Now(), func(o *domain.Offering) {
	}), false); err != nil {
		t.Fatal(err)
	}
	const account = "grandma-1"
	base := counterPath(centre, account)

	// Before the account is found by phone: nothing.
	e.expect(e.do("GET", base+"/participants", staff, nil), 409, "assist_required")
	now := e.st.Now()
	e.link(centre, account, now.Add(-13*time.Hour), now.Add(-time.Hour))
	e.expect(e.do("GET", base+"/participants", staff, nil), 409, "assist_required")
	e.link(centre, account, now, now.Add(12*time.Hour))

	p := e.counterRegister(staff, centre, account)
	e.expect(p, 201, "")
	if p.str("by") != "staff" {
		t.Fatalf("participant at the counter: %s", p.body)
	}
	book := func(offering string) reply {
		return e.do("POST", base+"/offerings/"+offering+"/bookings", staff, map[string]any{"participant_id": p.str("id"), "join_waitlist": true})
	}
	e.expect(book("elsewhere"), 404, "not_found")
	if conf, wait := e.counters("elsewhere"); conf+wait != 0 {
		t.Fatalf("another centre's offering booked: %d/%d", conf, wait)
	}
	b := book("evening-1")
	e.expect(b, 201, "")
	id := b.str("id")
	if b.str("by") != "staff" || b.str("status") != "confirmed" || b.str("code") != domain.BookingCode(id) {
		t.Fatalf("booking at the counter: %s", b.body)
	}
	t.Logf("booked at the counter: %s, code %s", id, b.str("code"))

	// The resident, signing in on their own, sees it as done at the counter.
	resident := e.token(account, "residents")
	mine := e.do("GET", "/v1/me/bookings", resident, nil)
	e.expect(mine, 200, "")
	items, _ := mine.json["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("the resident's bookings: %s", mine.body)
	}
	if got := items[0].(map[string]any); got["id"] != id || got["by"] != "staff" || got["code"] != domain.BookingCode(id) {
		t.Fatalf("the resident's booking: %v", got)
	}
	parts := e.do("GET", "/v1/me/participants", resident, nil)
	if !strings.Contains(string(parts.body), `"by":"staff"`) {
		t.Fatalf("the resident's participants: %s", parts.body)
	}

	// The account's bookings elsewhere are not the counter's to see or end.
	resP, _ := e.register(resident)
	away := e.book(resident, "elsewhere", resP, false)
	e.expect(away, 201, "")
	here := e.do("GET", base+"/bookings", staff, nil)
	e.expect(here, 200, "")
	if items, _ := here.json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("the account's bookings at this centre: %s", here.body)
	}
	e.expect(e.do("POST", base+"/bookings/"+away.str("id")+"/cancel", staff, nil), 404, "not_found")

	c := e.do("POST", base+"/bookings/"+id+"/cancel", staff, nil)
	e.expect(c, 200, "")
	if c.str("status") != "cancelled" || c.str("cancelled_by") != "staff" || c.str("code") != domain.BookingCode(id) {
		t.Fatalf("cancelled at the counter: %s", c.body)
	}

	// The centre's audit log: each write with the staff member and the account.
	log := e.do("GET", "/v1/centres/"+centre+"/audit", staff, nil)
	e.expect(log, 200, "")
	var audit struct {
		Items []struct {
			Actor, Action, Target string
			After                 map[string]any
		}
	}
	if err := json.Unmarshal(log.body, &audit); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range audit.Items {
		if strings.HasPrefix(a.Action, "assist.") && a.Action != "assist.find" {
			if a.Actor != "staff-desk" || a.After["account"] != account {
				t.Errorf("audit %s of %s: actor %s, after %v", a.Action, a.Target, a.Actor, a.After)
			}
			got[a.Action] = a.Target
		}
	}
	want := map[string]string{"assist.participant": p.str("id"), "assist.book": id, "assist.cancel": id}
	if !maps.Equal(got, want) {
		t.Fatalf("audit assist.* %v, want %v", got, want)
	}
}

// TestCounterBookingCost: what a booking at the counter costs beside an
// online one (TestBookingLogsItsCapacity): the logged units, and the items
// it changed, counted by hand the same way (two write units per KB of each
// changed item, indexes apart).
func TestCounterBookingCost(t *testing.T) {
	e := start(t)
	indexes := tableIndexes(t)
	centre := e.centre.ID
	staff := e.tokenFor("staff-desk", []string{"centre-staff"}, centre)
	e.offering("open", 10)
	now := e.st.Now()
	e.link(centre, "cost-counter", now, now.Add(12*time.Hour))
	p := e.counterRegister(staff, centre, "cost-counter")
	e.expect(p, 201, "")
	before := e.rawItems()
	r := e.do("POST", counterPath(centre, "cost-counter")+"/offerings/open/bookings", staff,
		map[string]any{"participant_id": p.str("id"), "join_waitlist": true}, "Idempotency-Key", "counter-cost-1")
	e.expect(r, 201, "")
	line := e.lastCost()
	after := e.rawItems()
	var want float64
	var parts []string
	ids := maps.Clone(before)
	maps.Copy(ids, after)
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		old, cur := before[id], after[id]
		if itemName(id) == "OUTBOX" || old != nil && cur != nil && string(mustJSON(t, old)) == string(mustJSON(t, cur)) {
			continue // unchanged, or the stream's notice, written outside the request
		}
		u := 2 * capacity.WriteUnits(max(capacity.Size(old), capacity.Size(cur)))
		for _, name := range slices.Sorted(maps.Keys(indexes)) {
			u += indexes[name].IndexWriteUnits([]string{"PK", "SK"}, old, cur)
		}
		want += u
		parts = append(parts, fmt.Sprintf("%s %.0f", itemName(id), u))
	}
	if line.WCU != want {
		t.Errorf("counter booking: logged %v write units, counted by hand %v (%s)", line.WCU, want, strings.Join(parts, "; "))
	}
	t.Logf("booking at the counter: %.0f read units, %.0f write units (%s); calls %v", line.RCU, line.WCU, strings.Join(parts, "; "), line.Calls)
}

// TestCounterIsNoFasterLaneOverHTTP: residents booking online and staff
// booking at the counter for other residents, all at once through the
// gateway on one offering with a line: exactly capacity confirmed, the
// rest in line 1..n, every confirmed booking made before every waiting one
// and the line in the order of arrival, whichever the channel; a counter
// booking carries nothing an online one does not but by: staff.
func TestCounterIsNoFasterLaneOverHTTP(t *testing.T) {
	const online, counter, places = 30, 10, 12
	e := start(t)
	centre := e.centre.ID
	staff := e.tokenFor("staff-desk", []string{"centre-staff"}, centre)
	e.offering("popular", places)
	type booker struct {
		path, tok, participant string
		atCounter              bool
		account                string
	}
	var bs []booker
	for i := range online {
		account := fmt.Sprintf("online-%d", i)
		tok, p, _ := e.resident(account)
		bs = append(bs, booker{path: "/v1/offerings/popular/bookings", tok: tok, participant: p, account: account})
	}
	now := e.st.Now()
	for i := range counter {
		account := fmt.Sprintf("desk-%d", i)
		e.link(centre, account, now, now.Add(12*time.Hour))
		p := e.counterRegister(staff, centre, account)
		e.expect(p, 201, "")
		bs = append(bs, booker{path: counterPath(centre, account) + "/offerings/popular/bookings", tok: staff, participant: p.str("id"), atCounter: true, account: account})
	}
	// Interleave the channels (three online, one at the counter), so
	// neither is sent first.
	var rnd []booker
	for i := range online {
		rnd = append(rnd, bs[i])
		if i%3 == 2 {
			rnd = append(rnd, bs[online+i/3])
		}
	}
	replies := make([]reply, len(rnd))
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range rnd {
		wg.Go(func() {
			<-gate
			replies[i] = e.do("POST", b.path, b.tok, map[string]any{"participant_id": b.participant, "join_waitlist": true})
		})
	}
	close(gate)
	wg.Wait()

	type placed struct {
		id, status string
		at         time.Time
		pos        int
		atCounter  bool
	}
	var all []placed
	confirmedAt := map[bool]int{}
	for i, r := range replies {
		if r.status != 201 {
			t.Fatalf("booking %d: %d %s", i, r.status, r.body)
		}
		b := rnd[i]
		if (r.str("by") == "staff") != b.atCounter || r.str("code") != domain.BookingCode(r.str("id")) {
			t.Errorf("booking %d (counter %v): %s", i, b.atCounter, r.body)
		}
		// Read back as the resident sees it now: its place in line as it stands.
		got := e.do("GET", "/v1/me/bookings/"+r.str("id"), e.token(b.account, "residents"), nil)
		e.expect(got, 200, "")
		keys := slices.Sorted(maps.Keys(got.json))
		if b.atCounter {
			keys = slices.DeleteFunc(keys, func(k string) bool { return k == "by" })
		}
		if want := []string{"code", "created_at", "id", "offering", "offering_id", "participant", "participant_id", "status", "updated_at"}; !slices.Equal(slices.DeleteFunc(keys, func(k string) bool { return k == "waitlist_position" }), want) {
			t.Errorf("booking %d (counter %v) has fields %v, want %v (and by: staff at the counter)", i, b.atCounter, keys, want)
		}
		at, _ := time.Parse(time.RFC3339Nano, got.str("created_at"))
		all = append(all, placed{id: got.str("id"), status: got.str("status"), at: at, pos: got.num("waitlist_position"), atCounter: b.atCounter})
		if got.str("status") == "confirmed" {
			confirmedAt[b.atCounter]++
		}
	}
	slices.SortFunc(all, func(a, b placed) int { return cmp.Or(a.at.Compare(b.at), strings.Compare(a.id, b.id)) })
	// By arrival: the first places confirmed, then the line in order.
	for i, p := range all {
		want, pos := "confirmed", 0
		if i >= places {
			want, pos = "waitlisted", i-places+1
		}
		if p.status != want || p.pos != pos {
			t.Errorf("arrival %d (counter %v, %s): %s at %d, want %s at %d", i, p.atCounter, p.at.Format(time.RFC3339Nano), p.status, p.pos, want, pos)
		}
	}
	if conf, wait := e.counters("popular"); conf != places || wait != online+counter-places {
		t.Fatalf("counters %d/%d, want %d/%d", conf, wait, places, online+counter-places)
	}
	var ranks []int
	for i, p := range all {
		if p.atCounter {
			ranks = append(ranks, i+1)
		}
	}
	t.Logf("%d online and %d at the counter at once for %d places: confirmed %d online, %d at the counter; the counter's arrivals were %v of %d",
		online, counter, places, confirmedAt[false], confirmedAt[true], ranks, len(all))
}
