package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/privacy"
)

func TestCatalogueOverHTTP(t *testing.T) {
	e := start(t)
	other := e.centre
	other.ID, other.District = "c-jiangyin-1", "jiangyin"
	if err := e.st.Store.PutCentre(context.Background(), other, false); err != nil {
		t.Fatal(err)
	}
	e.offering("eve-1", 20)
	e.offering("eve-2", 1, func(o *domain.Offering) { o.Confirmed = 1 })
	e.offering("kid-1", 10, func(o *domain.Offering) {
		o.Kind, o.MinAgeMonths, o.MaxAgeMonths, o.Term = domain.Childcare, 12, 36, "2025-autumn"
	})
	e.offering("draft-1", 10, func(o *domain.Offering) { o.Status = domain.OfferingDraft })

	ids := func(r reply) []string {
		var out []string
		for _, it := range r.json["items"].([]any) {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		sort.Strings(out)
		return out
	}
	cases := []struct {
		name, path string
		status     int
		code       string
		want       string // sorted ids, comma-joined
	}{
		{"all centres", "/v1/centres", 200, "", "c-binhu-1,c-jiangyin-1"},
		{"centres of a district", "/v1/centres?district=jiangyin", 200, "", "c-jiangyin-1"},
		{"unknown district", "/v1/centres?district=shanghai", 400, "invalid_request", ""},
		{"unknown parameter", "/v1/centres?distrct=binhu", 400, "invalid_request", ""},
		{"limit out of range", "/v1/centres?limit=500", 400, "invalid_request", ""},
		{"limit not a number", "/v1/centres?limit=ten", 400, "invalid_request", ""},
		{"forged cursor", "/v1/centres?cursor=eyJQSyI6IkFDQ09VTlQjeCJ9", 400, "invalid_request", ""},
		{"published offerings", "/v1/offerings", 200, "", "eve-1,eve-2,kid-1"},
		{"by kind", "/v1/offerings?kind=childcare", 200, "", "kid-1"},
		{"by kind and district", "/v1/offerings?kind=evening_course&district=binhu", 200, "", "eve-1,eve-2"},
		{"by district", "/v1/offerings?district=jiangyin", 200, "", ""},
		{"by centre", "/v1/offerings?centre_id=c-binhu-1", 200, "", "eve-1,eve-2,kid-1"},
		{"by age", "/v1/offerings?age_months=24", 200, "", "kid-1"},
		{"with places", "/v1/offerings?available=true", 200, "", "eve-1,kid-1"},
		{"by term", "/v1/offerings?term=2025-autumn&kind=evening_course", 200, "", "eve-1,eve-2"},
		{"unknown kind", "/v1/offerings?kind=yoga", 400, "invalid_request", ""},
		{"bad age", "/v1/offerings?age_months=-1", 400, "invalid_request", ""},
		{"bad available", "/v1/offerings?available=maybe", 400, "invalid_request", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("GET", c.path, "", nil)
			e.expect(r, c.status, c.code)
			if c.status == 200 {
				if got := strings.Join(ids(r), ","); got != c.want {
					t.Fatalf("ids %q, want %q", got, c.want)
				}
			}
		})
	}

	t.Run("one offering", func(t *testing.T) {
		r := e.do("GET", "/v1/offerings/eve-2", "", nil)
		e.expect(r, 200, "")
		if r.num("available") != 0 || r.num("capacity") != 1 || r.json["centre"].(map[string]any)["district"] != "binhu" {
			t.Fatalf("%s", r.body)
		}
		if !strings.HasSuffix(r.str("booking_opens_at"), "+08:00") {
			t.Fatalf("times are not in the city's zone: %s", r.str("booking_opens_at"))
		}
		e.expect(e.do("GET", "/v1/offerings/draft-1", "", nil), 404, "not_found")
		e.expect(e.do("GET", "/v1/offerings/nope", "", nil), 404, "not_found")
		e.expect(e.do("GET", "/v1/centres/c-binhu-1", "", nil), 200, "")
		e.expect(e.do("GET", "/v1/centres/nope", "", nil), 404, "not_found")
	})

	t.Run("paging", func(t *testing.T) {
		var seen []string
		path := "/v1/offerings?limit=1"
		for range 10 {
			r := e.do("GET", path, "", nil)
			e.expect(r, 200, "")
			seen = append(seen, ids(r)...)
			next := r.str("next_cursor")
			if next == "" {
				break
			}
			path = "/v1/offerings?limit=1&cursor=" + url.QueryEscape(next)
		}
		sort.Strings(seen)
		if strings.Join(seen, ",") != "eve-1,eve-2,kid-1" {
			t.Fatalf("pages gave %v", seen)
		}
	})

	t.Run("English on request", func(t *testing.T) {
		r := e.do("GET", "/v1/offerings/nope", "", nil, "Accept-Language", "en-GB,en;q=0.9")
		if r.str("detail") != "No such offering" {
			t.Fatalf("detail %q", r.str("detail"))
		}
		if zh := e.do("GET", "/v1/offerings/nope", "", nil); zh.str("detail") != "找不到该项目" {
			t.Fatalf("default detail %q", zh.str("detail"))
		}
	})
}

func TestAuthOverHTTP(t *testing.T) {
	e := start(t)
	expired, err := e.st.Issuer.Mint("r1", []string{"residents"}, nil, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, token string
		status      int
		code        string
	}{
		{"no token", "", 401, "unauthorized"},
		{"garbage", "not-a-jwt", 401, "unauthorized"},
		{"expired", expired, 401, "unauthorized"},
		{"centre staff", e.token("s1", "centre-staff"), 403, "forbidden"},
		{"city officer", e.token("o1", "city-officers"), 403, "forbidden"},
		{"resident", e.token("r1", "residents"), 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.do("GET", "/v1/me/bookings", c.token, nil), c.status, c.code)
		})
	}
	t.Run("token route validates", func(t *testing.T) {
		e.expect(e.do("POST", "/_local/token", "", map[string]any{"sub": "x", "groups": []string{"admins"}}), 400, "invalid_request")
		r := e.do("POST", "/_local/token", "", map[string]any{"sub": "x", "groups": []string{"residents"}})
		e.expect(r, 200, "")
		e.expect(e.do("GET", "/v1/me/participants", r.str("token"), nil), 200, "")
	})
}

func TestParticipantsOverHTTP(t *testing.T) {
	e := start(t)
	tok, _, idNumber := e.resident("acc-1")
	valid := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{"name": "王小明", "birth_date": "2023-05-04", "id_number": "320211202305040013",
			"guardian_consent": map[string]any{"notice_version": privacy.CurrentVersion(), "agreed": true}}
		// Compute a correct check character for the base number.
		m["id_number"] = fixCheck(m["id_number"].(string))
		if edit != nil {
			edit(m)
		}
		return m
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"valid", valid(nil), 201, ""},
		{"same person again", valid(nil), 409, "conflict"},
		{"wrong check digit", valid(func(m map[string]any) { m["id_number"] = flipCheck(m["id_number"].(string)) }), 422, "invalid_id_number"},
		{"birth date differs", valid(func(m map[string]any) { m["birth_date"] = "2023-05-05" }), 422, "invalid_id_number"},
		{"short number", valid(func(m map[string]any) { m["id_number"] = "3202112023" }), 422, "invalid_id_number"},
		{"no name", valid(func(m map[string]any) { m["name"] = " " }), 422, "validation_failed"},
		{"bad birth date", valid(func(m map[string]any) { m["birth_date"] = "2023-02-30" }), 422, "validation_failed"},
		{"future birth", valid(func(m map[string]any) { m["birth_date"] = "2999-01-01" }), 422, "validation_failed"},
		{"unknown field", valid(func(m map[string]any) { m["gender"] = "m" }), 400, "invalid_request"},
		{"wrong type", valid(func(m map[string]any) { m["name"] = 42 }), 400, "invalid_request"},
		{"malformed", `{"name":`, 400, "invalid_request"},
		{"two objects", `{} {}`, 400, "invalid_request"},
		{"empty", "", 400, "invalid_request"},
		{"too large", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "payload_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", "/v1/me/participants", tok, c.body)
			e.expect(r, c.status, c.code)
			if c.code == "validation_failed" {
				if errs, _ := r.json["errors"].([]any); len(errs) == 0 {
					t.Fatalf("no errors[]: %s", r.body)
				}
			}
			if c.status == 201 {
				if r.str("id_number_last4") == "" || strings.Contains(string(r.body), c.body.(map[string]any)["id_number"].(string)) {
					t.Fatalf("the ID number leaked or last4 is missing: %s", r.body)
				}
			}
		})
	}
	r := e.do("GET", "/v1/me/participants", tok, nil)
	e.expect(r, 200, "")
	if n := len(r.json["items"].([]any)); n != 2 {
		t.Fatalf("%d participants", n)
	}
	if strings.Contains(string(r.body), idNumber) || strings.Contains(e.logs.String(), idNumber) {
		t.Fatal("a full ID number was returned or logged")
	}
	other := e.token("acc-2", "residents")
	if r := e.do("GET", "/v1/me/participants", other, nil); r.status != 200 || len(r.json["items"].([]any)) != 0 {
		t.Fatalf("another account sees participants, or no list: %d %s", r.status, r.body)
	}
}

// fixCheck replaces the last character of a 17-digit-based number with its
// GB 11643 check character.
func fixCheck(id string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(id[i]-'0') * w[i]
	}
	return id[:17] + string("10X98765432"[sum%11])
}

func flipCheck(id string) string {
	c := byte('0')
	if id[17] == '0' {
		c = '1'
	}
	return id[:17] + string(c)
}

func TestBookingRulesOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("one", 1)
	e.offering("nowait", 1, func(o *domain.Offering) { o.WaitlistEnabled = false; o.Confirmed = 1 })
	e.offering("closed", 5, func(o *domain.Offering) { o.Status = domain.OfferingClosed })
	e.offering("soon", 5, func(o *domain.Offering) { o.BookingOpensAt = e.st.Now().Add(time.Hour) })
	e.offering("kids", 5, func(o *domain.Offering) { o.Kind, o.MinAgeMonths, o.MaxAgeMonths = domain.Childcare, 0, 36 })
	for _, id := range []string{"t1", "t2", "t3"} {
		e.offering(id, 5, func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2; o.Term = "2026-spring" })
	}
	aTok, aP, _ := e.resident("acc-a")
	bTok, bP, _ := e.resident("acc-b")
	cTok, cP, _ := e.resident("acc-c")

	// Confirmed, then the next ones wait in line.
	a := e.book(aTok, "one", aP, false)
	e.expect(a, 201, "")
	if a.str("status") != "confirmed" || a.json["waitlist_position"] != nil || a.header.Get("Location") == "" {
		t.Fatalf("%s", a.body)
	}
	b := e.book(bTok, "one", bP, true)
	e.expect(b, 201, "")
	c := e.book(cTok, "one", cP, true)
	if b.str("status") != "waitlisted" || b.num("waitlist_position") != 1 || c.num("waitlist_position") != 2 {
		t.Fatalf("waitlist: %s / %s", b.body, c.body)
	}

	refusals := []struct {
		name, token, offering, participant string
		wait                               bool
		status                             int
		code                               string
	}{
		{"already booked", aTok, "one", aP, true, 409, "already_booked"},
		{"full, no waitlist asked", aTok, "nowait", aP, false, 409, "offering_full"},
		{"full, waitlist disabled", aTok, "nowait", aP, true, 409, "offering_full"},
		{"closed", aTok, "closed", aP, false, 409, "booking_closed"},
		{"not yet open", aTok, "soon", aP, false, 409, "booking_closed"},
		{"not eligible", aTok, "kids", aP, false, 422, "not_eligible"},
		{"unknown offering", aTok, "nope", aP, false, 404, "not_found"},
		{"another account's participant", aTok, "kids", bP, false, 404, "not_found"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			conf, wait := 0, 0
			if c.offering != "nope" {
				conf, wait = e.counters(c.offering)
			}
			e.expect(e.book(c.token, c.offering, c.participant, c.wait), c.status, c.code)
			if c.offering != "nope" {
				if c2, w2 := e.counters(c.offering); c2 != conf || w2 != wait {
					t.Fatalf("a refused booking changed %s: %d/%d → %d/%d", c.offering, conf, wait, c2, w2)
				}
			}
		})
	}
	bad := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"no participant", `{"join_waitlist":true}`, 422, "validation_failed"},
		{"unknown field", `{"participant_id":"` + aP + `","seats":2}`, 400, "invalid_request"},
		{"wrong type", `{"participant_id":"` + aP + `","join_waitlist":"yes"}`, 400, "invalid_request"},
		{"not JSON", `participant_id=` + aP, 400, "invalid_request"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			e.expect(e.do("POST", "/v1/offerings/t1/bookings", aTok, c.body), c.status, c.code)
		})
	}
	if conf, _ := e.counters("t1"); conf != 0 {
		t.Fatal("a bad request booked")
	}

	t.Run("term limit", func(t *testing.T) {
		e.expect(e.book(aTok, "t1", aP, false), 201, "")
		e.expect(e.book(aTok, "t2", aP, false), 201, "")
		e.expect(e.book(aTok, "t3", aP, false), 409, "term_limit_reached")
	})

	t.Run("cancel hands the place to the first in line", func(t *testing.T) {
		id := a.str("id")
		e.expect(e.do("GET", "/v1/me/bookings/"+id, bTok, nil), 404, "not_found")
		e.expect(e.do("POST", "/v1/me/bookings/"+id+"/cancel", bTok, nil), 404, "not_found")
		r := e.do("POST", "/v1/me/bookings/"+id+"/cancel", aTok, nil)
		e.expect(r, 200, "")
		if r.str("status") != "cancelled" || r.str("cancelled_at") == "" {
			t.Fatalf("%s", r.body)
		}
		again := e.do("POST", "/v1/me/bookings/"+id+"/cancel", aTok, "{}")
		e.expect(again, 200, "")
		if again.str("cancelled_at") != r.str("cancelled_at") {
			t.Fatal("a second cancel changed the booking")
		}
		pb := e.do("GET", "/v1/me/bookings/"+b.str("id"), bTok, nil)
		pc := e.do("GET", "/v1/me/bookings/"+c.str("id"), cTok, nil)
		e.expect(pb, 200, "")
		e.expect(pc, 200, "")
		if pb.str("status") != "confirmed" || pb.json["waitlist_position"] != nil || pc.num("waitlist_position") != 1 {
			t.Fatalf("promotion: %s / %s", pb.body, pc.body)
		}
		if conf, wait := e.counters("one"); conf != 1 || wait != 1 {
			t.Fatalf("counters %d/%d", conf, wait)
		}
		e.expect(e.do("POST", "/v1/me/bookings/"+id+"/cancel", aTok, `{"reason":"x"}`), 400, "invalid_request")
	})

	t.Run("my bookings", func(t *testing.T) {
		r := e.do("GET", "/v1/me/bookings", aTok, nil)
		e.expect(r, 200, "")
		if n := len(r.json["items"].([]any)); n != 3 {
			t.Fatalf("%d bookings: %s", n, r.body)
		}
		r = e.do("GET", "/v1/me/bookings?status=cancelled", aTok, nil)
		e.expect(r, 200, "")
		items := r.json["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["offering"].(map[string]any)["title"] == "" {
			t.Fatalf("cancelled: %s", r.body)
		}
		e.expect(e.do("GET", "/v1/me/bookings?status=maybe", aTok, nil), 400, "invalid_request")
	})
}

func TestIdempotencyOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("o", 5)
	e.offering("p", 5)
	tok, p, _ := e.resident("acc")
	first := e.book(tok, "o", p, false, "Idempotency-Key", "retry-1")
	e.expect(first, 201, "")
	again := e.book(tok, "o", p, false, "Idempotency-Key", "retry-1")
	e.expect(again, 200, "")
	if again.str("id") != first.str("id") || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry answered %s", again.body)
	}
	e.expect(e.book(tok, "p", p, false, "Idempotency-Key", "retry-1"), 422, "idempotency_key_reused")
	e.expect(e.book(tok, "p", p, false, "Idempotency-Key", "bad key"), 400, "invalid_request")
	if conf, _ := e.counters("o"); conf != 1 {
		t.Fatalf("confirmed %d", conf)
	}
	if conf, _ := e.counters("p"); conf != 0 {
		t.Fatalf("a reused key booked: %d", conf)
	}
}

// TestConcurrentIdempotentRetriesOverHTTP: concurrent retries of one
// request make one booking.
func TestConcurrentIdempotentRetriesOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("p", 5)
	tok, p, _ := e.resident("acc")
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Go(func() { ids[i] = e.book(tok, "p", p, false, "Idempotency-Key", "retry-2").str("id") })
	}
	wg.Wait()
	for _, id := range ids {
		if id == "" || id != ids[0] {
			t.Fatalf("concurrent retries gave %v", ids)
		}
	}
	if conf, _ := e.counters("p"); conf != 1 {
		t.Fatalf("confirmed %d", conf)
	}
}

// TestConcurrentBookingsOverHTTP: 300 residents book 30 places at once
// through the gateway.
func TestConcurrentBookingsOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("hot", 30)
	const n = 300
	type who struct{ tok, p string }
	people := make([]who, n)
	for i := range people {
		people[i].tok, people[i].p, _ = e.resident(fmt.Sprintf("r%03d", i))
	}
	replies := make([]reply, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	t0 := time.Now()
	for i := range people {
		wg.Go(func() {
			<-gate
			replies[i] = e.bookLikeAClient(people[i].tok, "hot", people[i].p, fmt.Sprintf("burst-%d", i))
		})
	}
	close(gate)
	wg.Wait()
	calls, statuses := e.requestsOf("POST /v1/offerings/{offering_id}/bookings")
	t.Logf("300 concurrent bookings through the gateway in %s; answers %v; DynamoDB calls %v",
		time.Since(t0).Round(time.Millisecond), statuses, calls)
	type got struct {
		created  time.Time
		status   string
		position int
		id, tok  string
	}
	var all []got
	for i, r := range replies {
		if r.status != 201 && r.status != 200 {
			t.Fatalf("booking %d: %d %s", i, r.status, r.body)
		}
		ts, err := time.Parse(time.RFC3339Nano, r.str("created_at"))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, got{ts, r.str("status"), r.num("waitlist_position"), r.str("id"), people[i].tok})
	}
	if conf, wait := e.counters("hot"); conf != 30 || wait != 270 {
		t.Fatalf("counters %d/%d", conf, wait)
	}
	// In arrival order: 30 confirmed, then the line. Read back once all have
	// landed (a sample: every read counts the line), the line is 1..270 in
	// arrival order; an answer given while earlier arrivals were in flight
	// may have named a smaller place, never a larger one.
	sort.Slice(all, func(i, j int) bool { return all[i].created.Before(all[j].created) })
	moved := 0
	for i, g := range all {
		if i < 30 {
			if g.status != "confirmed" || g.position != 0 {
				t.Fatalf("arrival %d: %s at %d, want confirmed", i+1, g.status, g.position)
			}
			continue
		}
		if g.status != "waitlisted" || g.position < 1 {
			t.Fatalf("arrival %d: %s at %d, want waitlisted", i+1, g.status, g.position)
		}
		if i%10 != 0 && i != len(all)-1 {
			continue
		}
		r := e.do("GET", "/v1/me/bookings/"+g.id, g.tok, nil)
		if r.num("waitlist_position") != i-29 || g.position > i-29 {
			t.Fatalf("arrival %d: answered place %d, reads %d, want %d", i+1, g.position, r.num("waitlist_position"), i-29)
		}
		if g.position != i-29 {
			moved++
		}
	}
	t.Logf("%d of the sampled answers named a place that earlier arrivals in flight then took", moved)

	// The burst's line promoted by a capacity raise (five writes): exactly
	// the promoted are told, each once, by message and on the bus; every
	// booking's own notice too, from the table's stream, once it is in.
	ids := make([]string, len(all))
	for i, g := range all {
		ids[i] = g.id
	}
	e.bookingNotices(ids...)
	e.expectPromotedToldOnce("hot", 180)
	_, evs := e.sent()
	made := map[string]int{}
	for _, ev := range evs {
		made[ev.DetailType]++
	}
	if made["enrol.booking.confirmed"] != 30 || made["enrol.booking.waitlisted"] != 270 {
		t.Fatalf("bookings on the bus: %v, want 30 confirmed and 270 waitlisted", made)
	}
}

func TestConcurrentSameParticipantOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("o", 10)
	tok, p, _ := e.resident("acc")
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Go(func() { statuses[i] = e.book(tok, "o", p, true).status })
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != 19 {
		t.Fatalf("statuses %v", count)
	}
	r := e.do("GET", "/v1/me/bookings", tok, nil)
	e.expect(r, 200, "")
	if n := len(r.json["items"].([]any)); n != 1 {
		t.Fatalf("%d bookings", n)
	}
}

func TestConcurrentTermLimitOverHTTP(t *testing.T) {
	e := start(t)
	for i := range 8 {
		e.offering(fmt.Sprintf("o%d", i), 10, func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 3 })
	}
	tok, p, _ := e.resident("acc")
	var wg sync.WaitGroup
	statuses := make([]reply, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i] = e.book(tok, fmt.Sprintf("o%d", i), p, false) })
	}
	wg.Wait()
	ok := 0
	for _, r := range statuses {
		switch {
		case r.status == 201:
			ok++
		case r.status != 409 || r.str("code") != "term_limit_reached":
			t.Fatalf("unexpected %d %s", r.status, r.body)
		}
	}
	if ok != 3 {
		t.Fatalf("%d bookings within a term limit of 3", ok)
	}
}

// TestRequestLog: one JSON line per request with id, route, status and
// latency, and never a token.
func TestRequestLog(t *testing.T) {
	e := start(t)
	e.offering("o", 5)
	tok, p, _ := e.resident("acc")
	e.book(tok, "o", p, false)
	e.do("GET", "/v1/offerings/o", "", nil)
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines for 3 requests:\n%s", len(lines), e.logs.String())
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		for _, k := range []string{"request_id", "route", "status", "latency_ms", "function"} {
			if m[k] == nil || m[k] == "" {
				t.Fatalf("no %s in %s", k, l)
			}
		}
		if strings.Contains(l, tok) || strings.Contains(l, "Bearer") {
			t.Fatalf("a token was logged: %s", l)
		}
	}
	if !strings.Contains(lines[1], `"route":"POST /v1/offerings/{offering_id}/bookings"`) {
		t.Fatalf("route key: %s", lines[1])
	}
}
