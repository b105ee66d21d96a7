package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// withFaults makes every DynamoDB client of the stack go through inj.
func withFaults(inj *faults.Injector) func(*local.Options) {
	return func(o *local.Options) { o.DynamoDBOptions = append(o.DynamoDBOptions, inj.Option) }
}

// withTimeout runs the stack from a copy of template.yaml whose functions
// time out after secs seconds (Globals.Function.Timeout).
func withTimeout(t *testing.T, secs int) func(*local.Options) {
	raw, err := os.ReadFile(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	const global = "\n    Timeout: 10\n"
	if strings.Count(string(raw), global) != 1 {
		t.Fatalf("template.yaml: no single %q to change", global)
	}
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(string(raw), global, fmt.Sprintf("\n    Timeout: %d\n", secs), 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(o *local.Options) { o.TemplatePath = path }
}

// lastLine is the function's log line of the last request.
func (e *env) lastLine() map[string]any {
	e.t.Helper()
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// TestStoreFailuresOverHTTP: a booking whose write DynamoDB throttles
// answers 503 with Retry-After through the gateway after one write (it
// used to be retried 40 times as contention); one whose write is invalid is
// a 500 that reveals nothing and logs its cause.
func TestStoreFailuresOverHTTP(t *testing.T) {
	var inj faults.Injector
	e := start(t, withFaults(&inj))
	e.offering("o", 5)
	tok, p, _ := e.resident("a")
	offering := faults.Key("OFFERING#o", "OFFERING")

	inj.Fail("TransactWriteItems", 0, faults.Cancelled(faults.Reason{Code: "ThrottlingError", Pick: offering}))
	r := e.book(tok, "o", p, false)
	e.expect(r, 503, "unavailable")
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After %q", got)
	}
	if n := inj.Hits("TransactWriteItems"); n != 1 {
		t.Fatalf("a throttled booking wrote %d times", n)
	}

	inj.Clear()
	inj.Fail("TransactWriteItems", 0, faults.Cancelled(faults.Reason{Code: "ValidationError", Pick: offering}))
	r = e.book(tok, "o", p, false)
	e.expect(r, 500, "internal")
	if strings.Contains(string(r.body), "Validation") || r.header.Get("Retry-After") != "" {
		t.Fatalf("the 500 reveals its cause or invites a retry: %s %v", r.body, r.header)
	}
	if line := e.lastLine(); line["level"] != "ERROR" || !strings.Contains(fmt.Sprint(line["error"]), "ValidationError") {
		t.Fatalf("the cause is not in the log: %v", line)
	}
	if n := inj.Hits("TransactWriteItems"); n != 1 {
		t.Fatalf("an invalid booking wrote %d times", n)
	}

	inj.Clear()
	e.expect(e.book(tok, "o", p, false), 201, "")
}

// TestFaultSpecOverHTTP: the stack started with a fault spec (make run's
// ENROL_FAULTS) faults the functions' calls, and says so at
// /_local/faults; a booking whose read batch comes back partial twice is
// made all the same; one throttled by a scheduled fault answers 503 with
// Retry-After; one cut after its write landed answers 503 too, and the
// client's retry with the same Idempotency-Key gets that one booking.
func TestFaultSpecOverHTTP(t *testing.T) {
	e := start(t, func(o *local.Options) { o.Faults = "100%,kinds=throttling,ops=TransactWriteItems" })
	inj := e.st.Faults()
	e.offering("o", 5)
	report := func() local.FaultsReport {
		t.Helper()
		r := e.do("GET", "/_local/faults", "", nil)
		e.expect(r, 200, "")
		var rep local.FaultsReport
		if err := json.Unmarshal(r.body, &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	tok := e.token("a", "residents")
	// Registering writes in a transaction: the spec throttles it.
	birth := time.Date(1990, 1, 1, 0, 0, 0, 0, domain.CityZone)
	r := e.do("POST", "/v1/me/participants", tok, map[string]any{"name": "测试居民", "birth_date": birth.Format(domain.DateLayout),
		"id_number": idnumber.Make("320211", birth, 1)})
	e.expect(r, 503, "unavailable")
	if rep := report(); !rep.On || rep.Spec == "" || !strings.Contains(rep.Rules, "100% of calls to TransactWriteItems") || rep.Injected[faults.Throttling] == 0 {
		t.Fatalf("/_local/faults: %+v", rep)
	}

	inj.Clear()
	p, _ := e.register(tok)
	// The booking reads its offering, participant and the booking its
	// Idempotency-Key names in one BatchGetItem: twice partial, it asks
	// again for the rest.
	e.offering("o2", 5)
	inj.At(0, faults.Partial, "BatchGetItem")
	inj.At(1, faults.Partial, "BatchGetItem")
	e.expect(e.book(tok, "o2", p, false, "Idempotency-Key", "partial-1"), 201, "")
	if n := inj.Injected()[faults.Partial]; n != 2 {
		t.Fatalf("%d partial batches", n)
	}

	inj.At(0, faults.Throttling, "TransactWriteItems")
	r = e.book(tok, "o", p, false)
	e.expect(r, 503, "unavailable")
	if r.header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if c, _ := e.counters("o"); c != 0 {
		t.Fatalf("a throttled booking confirmed %d", c)
	}

	inj.At(0, faults.Cut, "TransactWriteItems")
	r = e.book(tok, "o", p, false, "Idempotency-Key", "cut-1")
	e.expect(r, 503, "unavailable")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	if c, _ := e.counters("o"); c != 1 {
		t.Fatalf("the cut booking did not land: %d confirmed", c)
	}
	again := e.book(tok, "o", p, false, "Idempotency-Key", "cut-1")
	e.expect(again, 200, "")
	mine := e.do("GET", "/v1/me/bookings", tok, nil)
	var inO []any
	items, _ := mine.json["items"].([]any)
	for _, it := range items {
		if it.(map[string]any)["offering_id"] == "o" {
			inO = append(inO, it.(map[string]any)["id"])
		}
	}
	if len(inO) != 1 || inO[0] != again.str("id") {
		t.Fatalf("after the retry: %s, retry answered %s", mine.body, again.body)
	}
	if c, _ := e.counters("o"); c != 1 {
		t.Fatalf("%d confirmed after the retry", c)
	}
	if rep := report(); rep.Injected[faults.Throttling] != 1 || rep.Injected[faults.Cut] != 1 || rep.Injected[faults.Partial] != 2 {
		t.Fatalf("/_local/faults: %+v", rep)
	}
}

// TestPersistentConflictAnswersWithinTheFunctionTimeout: with every write
// conflicting, a booking answers 503 (Retry-After) before its function's
// Timeout, which the gateway gives the handler as its deadline as Lambda
// does. Before, the handler had API Gateway's 30 s and tried 40 times,
// answering seconds after Lambda would have stopped it.
func TestPersistentConflictAnswersWithinTheFunctionTimeout(t *testing.T) {
	const timeout = 2 * time.Second
	var inj faults.Injector
	e := start(t, withFaults(&inj), withTimeout(t, int(timeout/time.Second)))
	e.offering("o", 5)
	tok, p, _ := e.resident("a")
	inj.Fail("TransactWriteItems", 0, faults.Cancelled(faults.Reason{Code: "TransactionConflict", Pick: faults.Any}))

	t0 := time.Now()
	r := e.book(tok, "o", p, false)
	took := time.Since(t0)
	e.expect(r, 503, "unavailable")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	// The deadline is a correctness bound, not a speed claim: on Lambda a
	// handler still running at its Timeout is killed and the client gets a
	// bare 5xx from API Gateway instead of this answer.
	if took >= timeout {
		t.Fatalf("answered after %v, past the function's %v", took, timeout)
	}
	n := inj.Hits("TransactWriteItems")
	if n >= retry.Default.MaxAttempts {
		t.Fatalf("%d writes", n)
	}
	t.Logf("503 after %d writes in %v (Timeout %v, reserve %v)", n, took.Round(time.Millisecond), timeout, retry.Default.Reserve)
}

// TestMyBookingsCallBudget: 24 waitlisted bookings in 3 offerings, each
// behind and between other people's, listed in one request: exact places
// in line from one Query per offering (4 in all), where it used to take
// one per booking (25).
func TestMyBookingsCallBudget(t *testing.T) {
	e := start(t)
	mine := e.token("family", "residents")
	_, other, _ := e.resident("other")
	others := e.token("other", "residents")
	// The family registers as many people as an account may hold (8);
	// "other" has one participant and seven more.
	register := func(tok string, n, seq int) []string {
		var ids []string
		for i := range n {
			birth := time.Date(1990, time.Month(1+i), 1+seq%28, 0, 0, 0, 0, domain.CityZone)
			r := e.do("POST", "/v1/me/participants", tok, map[string]any{
				"name": fmt.Sprintf("居民%d-%d", seq, i), "birth_date": birth.Format(domain.DateLayout),
				"id_number": idnumber.Make("320211", birth, seq*10+i),
			})
			e.expect(r, 201, "")
			ids = append(ids, r.str("id"))
		}
		return ids
	}
	kids := register(mine, domain.MaxParticipants, 41)
	strangers := append([]string{other}, register(others, domain.MaxParticipants-1, 42)...)
	want := map[string]int{} // booking id → place in line
	for _, o := range []string{"o1", "o2", "o3"} {
		e.offering(o, 1, func(of *domain.Offering) { of.Confirmed = 1 }) // full: everyone waits
		for i := range kids {
			// Someone else is ahead of each of the family's bookings.
			e.expect(e.book(others, o, strangers[i], true), 201, "")
			r := e.book(mine, o, kids[i], true)
			e.expect(r, 201, "")
			want[r.str("id")] = 2 * (i + 1)
		}
	}
	r := e.do("GET", "/v1/me/bookings?status=waitlisted", mine, nil)
	e.expect(r, 200, "")
	items, _ := r.json["items"].([]any)
	if len(items) != 3*len(kids) {
		t.Fatalf("%d bookings listed", len(items))
	}
	for _, it := range items {
		b := it.(map[string]any)
		if got := int(b["waitlist_position"].(float64)); got != want[b["id"].(string)] {
			t.Fatalf("booking %s in %s: place %d, want %d", b["id"], b["offering_id"], got, want[b["id"].(string)])
		}
	}
	calls, _ := json.Marshal(e.lastLine()["ddb_calls"])
	if string(calls) != `{"Query":4}` {
		t.Fatalf("DynamoDB calls %s, budget {\"Query\":4}", calls)
	}
	t.Logf("%d waitlisted bookings in 3 offerings: %s", len(items), calls)
}

// TestFaultSpecFromTheEnvironment: make run's ENROL_FAULTS reaches the
// options, and a bad one stops the stack before anything starts, naming
// the bad part in both languages.
func TestFaultSpecFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct{ spec, err string }{
		{"", ""},
		{"5%", ""},
		{"rate=0.05,kinds=throttling,conflict", ""},
		{"rate=0.05,kinds=meteor", `"kinds=meteor"`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Setenv("ENROL_FAULTS", tc.spec)
			o, err := local.Getenv()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), "ENROL_FAULTS") || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "有误") {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				o.Faults = tc.spec // Start refuses it too
				if _, err := local.Start(context.Background(), o); err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Start: %v", err)
				}
				return
			}
			if err != nil || o.Faults != tc.spec {
				t.Fatalf("%q, %v", o.Faults, err)
			}
		})
	}
}
