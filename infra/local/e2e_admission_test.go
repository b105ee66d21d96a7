package local_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/local/gateway"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

const bookingRoute = "POST /v1/offerings/{offering_id}/bookings"

func (e *env) admission() gateway.AdmissionReport {
	e.t.Helper()
	var rep gateway.AdmissionReport
	if r := e.do("GET", "/_local/admission", "", nil); r.status != 200 || json.Unmarshal(r.body, &rep) != nil {
		e.t.Fatalf("GET /_local/admission: %d %s", r.status, r.body)
	}
	return rep
}

// TestAdmissionBurst: a burst beyond the booking route's throttle gets API
// Gateway's 429 from the gateway for all but the bucket's worth; the
// clients, retrying with the same Idempotency-Key (each also taps twice at
// first), all get their one booking: none lost, none doubled, and the
// offering's counters add up.
func TestAdmissionBurst(t *testing.T) {
	const n, capacity, burst, rate = 60, 40, 15, 5.0
	e := start(t, func(o *local.Options) {
		o.Limits = &samtemplate.Limits{
			Default: &samtemplate.Throttle{Rate: 1000, Burst: 2000},
			Routes:  map[string]samtemplate.Throttle{bookingRoute: {Rate: rate, Burst: burst}},
		}
	})
	e.offering("rush", capacity)
	type client struct{ tok, p, key string }
	cs := make([]client, n)
	for i := range cs {
		cs[i].tok, cs[i].p, _ = e.resident(fmt.Sprintf("rush%02d", i))
		cs[i].key = fmt.Sprintf("rush-key-%d", i)
	}

	// The opening: every client at once, each tapping 报名 twice.
	first := make([]reply, 2*n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range first {
		c := cs[i/2]
		wg.Go(func() {
			<-gate
			first[i] = e.book(c.tok, "rush", c.p, true, "Idempotency-Key", c.key)
		})
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()
	wave := time.Since(t0)
	throttled, admitted := 0, 0
	for i, r := range first {
		switch r.status {
		case 429:
			throttled++
			if string(r.body) != `{"message":"Too Many Requests"}` || r.header.Get("Retry-After") != "" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Fatalf("request %d: a 429 unlike API Gateway's: %s %v", i, r.body, r.header)
			}
		case 200, 201, 503:
			admitted++
		default:
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	// The bucket starts with burst tokens and gains rate a second while the
	// wave lasts (plus one for the instant the last token came).
	most := burst + int(math.Ceil(rate*wave.Seconds())) + 1
	if admitted < burst || admitted > most {
		t.Fatalf("%d of %d requests admitted in %s, want %d to %d", admitted, len(first), wave.Round(time.Millisecond), burst, most)
	}
	if got := e.admission().Throttled[bookingRoute]; got != throttled {
		t.Fatalf("the gateway counts %d throttled, the clients saw %d", got, throttled)
	}

	// Then every client retries until answered, with its key, jittered.
	final := make([]reply, n)
	t1 := time.Now()
	for i, c := range cs {
		wg.Go(func() { final[i] = e.bookLikeAClient(c.tok, "rush", c.p, c.key) })
	}
	wg.Wait()
	settle := time.Since(t1)
	confirmed := 0
	for i, r := range final {
		if r.status != 200 && r.status != 201 {
			t.Fatalf("client %d: %d %s", i, r.status, r.body)
		}
		if r.str("status") == "confirmed" {
			confirmed++
		}
		// Whatever a client was told first is the booking it has.
		for _, f := range first[2*i : 2*i+2] {
			if (f.status == 200 || f.status == 201) && f.str("id") != r.str("id") {
				t.Fatalf("client %d: first told %s, then %s", i, f.str("id"), r.str("id"))
			}
		}
		mine := e.do("GET", "/v1/me/bookings", cs[i].tok, nil)
		items, _ := mine.json["items"].([]any)
		if mine.status != 200 || len(items) != 1 || items[0].(map[string]any)["id"] != r.str("id") {
			t.Fatalf("client %d holds %s, want the one booking %s", i, mine.body, r.str("id"))
		}
	}
	conf, wait := e.counters("rush")
	if conf != capacity || wait != n-capacity || confirmed != capacity {
		t.Fatalf("counters %d/%d, %d told confirmed; want %d/%d", conf, wait, confirmed, capacity, n-capacity)
	}
	_, statuses := e.requestsOf(bookingRoute)
	rep := e.admission()
	t.Logf("admission: %d requests at once (%d clients tapping twice) against %g/s burst %d: %d admitted, %d throttled in %s; "+
		"all %d booked in %s more, %d throttled in all; the function answered %v",
		len(first), n, rate, burst, admitted, throttled, wave.Round(time.Millisecond), n, settle.Round(time.Millisecond),
		rep.Throttled[bookingRoute], statuses)
}

// TestReservedConcurrencyOverHTTP: with BookingsFunction reserving one
// execution, a booking sent while another runs is refused by "Lambda"
// before the function starts: API Gateway's bare 500, which the document
// allows; the same request again, once the first is done, books.
func TestReservedConcurrencyOverHTTP(t *testing.T) {
	e := start(t, func(o *local.Options) {
		o.Limits = &samtemplate.Limits{Reserved: map[string]int{"BookingsFunction": 1}}
		o.Faults = "0%" // the injector, without rules until the residents are in
	})
	e.offering("one", 5)
	tokA, pA, _ := e.resident("slow-a")
	tokB, pB, _ := e.resident("slow-b")
	// A's booking holds its execution: its transaction waits 1.5 s.
	e.st.Faults().SetDelay(1500 * time.Millisecond)
	e.st.Faults().At(0, faults.Slow, "TransactWriteItems")
	first := make(chan reply, 1)
	go func() { first <- e.book(tokA, "one", pA, false, "Idempotency-Key", "a-1") }()
	for deadline := time.Now().Add(10 * time.Second); e.admission().Running["BookingsFunction"] != 1; {
		if time.Now().After(deadline) {
			t.Fatal("A's booking never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r := e.book(tokB, "one", pB, false, "Idempotency-Key", "b-1")
	if r.status != 500 || string(r.body) != `{"message":"Internal Server Error"}` {
		t.Fatalf("B while A runs: %d %s, want API Gateway's 500", r.status, r.body)
	}
	if a := <-first; a.status != 201 {
		t.Fatalf("A: %d %s", a.status, a.body)
	}
	if r = e.book(tokB, "one", pB, false, "Idempotency-Key", "b-1"); r.status != 201 {
		t.Fatalf("B again: %d %s", r.status, r.body)
	}
	if rep := e.admission(); rep.Refused["BookingsFunction"] != 1 || rep.Running["BookingsFunction"] != 0 {
		t.Fatalf("report %+v", rep)
	}
	if conf, _ := e.counters("one"); conf != 2 {
		t.Fatalf("confirmed %d, want 2", conf)
	}
}
