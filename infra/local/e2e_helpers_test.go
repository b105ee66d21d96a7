package local_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

type env struct {
	t      testing.TB
	st     *local.Stack
	client *http.Client
	logs   *local.SyncBuffer
	centre domain.Centre
	seq    int
	table  string // the stack's table
}

// withSeed loads the demo data, as `make run` does.
func withSeed(o *local.Options) { o.Seed = true }

// start runs a whole local stack on a free port, by default without demo data.
func start(t testing.TB, mods ...func(*local.Options)) *env {
	t.Helper()
	logs := &local.SyncBuffer{}
	opts := local.Options{Addr: "127.0.0.1:0", FunctionLog: slog.New(slog.NewJSONHandler(logs, nil))}
	if db := dbtest.External(); db != "" { // make test-fidelity: a table of its own on that DynamoDB
		opts.DynamoDBEndpoint, opts.TableName, opts.NoConsumedCapacity = db, dbtest.TableName(), true
		dbtest.DropAtCleanup(t, db, opts.TableName)
	}
	// A benchmark measures the request path, not API Gateway's throttles,
	// which a fast loop on one offering would reach (200/s on bookings).
	if _, bench := t.(*testing.B); bench {
		opts.Limits = &samtemplate.Limits{}
	}
	for _, m := range mods {
		m(&opts)
	}
	st, err := local.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, logs: logs, centre: dbtest.Centre("c-binhu-1", "binhu"), table: cmp.Or(opts.TableName, "enrol-local" /* local.Start's default */),
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 400, MaxConnsPerHost: 400}}}
	if err := st.Store.PutCentre(context.Background(), e.centre, false); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) offering(id string, capacity int, edit ...func(*domain.Offering)) {
	e.t.Helper()
	if err := e.st.Store.PutOffering(context.Background(), dbtest.Offering(id, e.centre, capacity, e.st.Now(), edit...), false); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) counters(id string) (int, int) {
	e.t.Helper()
	o, err := e.st.Store.GetOffering(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o.Confirmed, o.Waitlisted
}

func (e *env) token(sub string, groups ...string) string {
	e.t.Helper()
	tok, err := e.st.Token(sub, groups)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type reply struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r reply) str(k string) string { s, _ := r.json[k].(string); return s }
func (r reply) num(k string) int    { f, _ := r.json[k].(float64); return int(f) }

// do sends a request through the local gateway; body may be a string (sent
// as is) or any value (sent as JSON).
func (e *env) do(method, path, token string, body any, headers ...string) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.st.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	e.checkContract(req, resp, raw)
	r := reply{status: resp.StatusCode, header: resp.Header, body: raw}
	_ = json.Unmarshal(raw, &r.json)
	return r
}

// expect fails unless r has status and, for errors, the problem code.
func (e *env) expect(r reply, status int, code string) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if code != "" {
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			e.t.Fatalf("content type %q for an error", ct)
		}
		if r.str("code") != code || r.num("status") != status || r.str("detail") == "" {
			e.t.Fatalf("problem %s, want code %s", r.body, code)
		}
	}
}

// resident registers a participant for a fresh account; adult births suit
// the default evening-course fixture.
func (e *env) resident(account string) (token, participantID, idNumber string) {
	e.t.Helper()
	token = e.token(account, "residents")
	participantID, idNumber = e.register(token)
	return token, participantID, idNumber
}

// register registers one more participant under token's account.
func (e *env) register(token string) (participantID, idNumber string) {
	e.t.Helper()
	e.seq++
	birth := time.Date(1990, time.Month(1+e.seq%12), 1+e.seq%28, 0, 0, 0, 0, domain.CityZone)
	idNumber = idnumber.Make("320211", birth, e.seq%1000)
	r := e.do("POST", "/v1/me/participants", token, map[string]any{
		"name": fmt.Sprintf("测试居民%d", e.seq), "birth_date": birth.Format(domain.DateLayout), "id_number": idNumber,
	})
	e.expect(r, 201, "")
	return r.str("id"), idNumber
}

func (e *env) book(token, offering, participant string, wait bool, headers ...string) reply {
	e.t.Helper()
	return e.do("POST", "/v1/offerings/"+offering+"/bookings", token,
		map[string]any{"participant_id": participant, "join_waitlist": wait}, headers...)
}

// requestsOf adds up, over the log lines of route, the DynamoDB calls made
// and the statuses answered.
func (e *env) requestsOf(route string) (calls map[string]int, statuses map[int]int) {
	calls, statuses = map[string]int{}, map[int]int{}
	for _, l := range strings.Split(e.logs.String(), "\n") {
		var m struct {
			Route  string         `json:"route"`
			Status int            `json:"status"`
			Calls  map[string]int `json:"ddb_calls"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && m.Route == route {
			statuses[m.Status]++
			for k, v := range m.Calls {
				calls[k] += v
			}
		}
	}
	return calls, statuses
}

// retryable are the answers a client retries with the same Idempotency-Key:
// the gateway's throttle (429, no Retry-After), the function's busy store
// (503), and the gateway's 502/504.
func retryable(status int) bool {
	return status == 429 || status == 503 || status == 502 || status == 504
}

// bookLikeAClient books as a well-behaved app does under load: with an
// Idempotency-Key, retrying a 503 (or a gateway 429 throttle, 502 or 504),
// so that a retry can never book twice. A retry of a booking that did land
// answers 200 with the same booking. Its patience is a time, not a number
// of tries: a request answers 503 within its function's Timeout (10 s), so
// a loaded machine takes more tries, not longer ones. Its waits are
// jittered (half to one and a half times the step), as a client's must be:
// clients that fail together and wait alike come back together, and 300 of
// them retrying in step on one offering's item mostly conflict again (on a
// loaded machine, 2,426 answers of 503 for 300 bookings without jitter).
func (e *env) bookLikeAClient(token, offering, participant, key string) reply {
	e.t.Helper()
	patience := time.Now().Add(3 * time.Minute)
	var r reply
	for try := 0; ; try++ {
		r = e.book(token, offering, participant, true, "Idempotency-Key", key)
		if !retryable(r.status) || time.Now().After(patience) {
			return r
		}
		step := time.Duration(min(try, 4)+1) * 500 * time.Millisecond
		time.Sleep(step/2 + rand.N(step))
	}
}
