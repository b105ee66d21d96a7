package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/clock"
)

// stepClock is a Tick the test moves by hand.
type stepClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

func limitedGateway(t *testing.T, fn lambda.Handler, l samtemplate.Limits, tick func() time.Time) *Gateway {
	t.Helper()
	iss, _ := issuers(t)
	g, err := New(Config{
		Routes:   testRoutes,
		Handlers: map[string]lambda.Handler{"Catalogue": fn, "Bookings": fn, "Files": fn},
		Issuer:   iss, Logger: slog.New(slog.DiscardHandler), Now: clock.Fixed(testNow),
		Limits: &l, Tick: tick,
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func checkThrottled(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests || w.Body.String() != `{"message":"Too Many Requests"}` {
		t.Fatalf("got %d %s, want API Gateway's 429", w.Code, w.Body)
	}
	if ra := w.Header().Get("Retry-After"); ra != "" {
		t.Errorf("Retry-After %q: API Gateway sends none", ra)
	}
}

// The buckets: a route's own throttle, else the stage's default, each
// route its own bucket, starting full and refilling at the rate.
func TestThrottles(t *testing.T) {
	fn := &fakeFn{}
	clk := &stepClock{at: testNow}
	g := limitedGateway(t, fn, samtemplate.Limits{
		Default: &samtemplate.Throttle{Rate: 1, Burst: 3},
		Routes:  map[string]samtemplate.Throttle{"GET /v1/centres/{centre_id}": {Rate: 2, Burst: 2}},
	}, clk.now)
	get := func(path string) *httptest.ResponseRecorder {
		return serve(g, httptest.NewRequest("GET", path, nil))
	}
	steps := []struct {
		name   string
		wait   time.Duration
		path   string
		admits int // of the requests sent at once, how many pass
		sent   int
	}{
		{"a route's own burst", 0, "/v1/centres/a", 2, 5},
		{"another route has its own bucket, at the default", 0, "/v1/centres", 3, 4},
		{"half a second refills one token at 2/s", 500 * time.Millisecond, "/v1/centres/a", 1, 3},
		{"a minute refills no more than the burst", time.Minute, "/v1/centres/b", 2, 4},
		{"the default's bucket refilled to its burst too", 0, "/v1/centres", 3, 5},
	}
	for _, s := range steps {
		clk.add(s.wait)
		before := fn.calls()
		for i := range s.sent {
			w := get(s.path)
			if i < s.admits {
				if w.Code != 200 {
					t.Fatalf("%s: request %d got %d, want it admitted", s.name, i, w.Code)
				}
				continue
			}
			checkThrottled(t, w)
		}
		if got := fn.calls() - before; got != s.admits {
			t.Fatalf("%s: the function ran %d times, want %d", s.name, got, s.admits)
		}
	}
	rep := g.admission.report()
	if rep.Throttled["GET /v1/centres/{centre_id}"] != 3+2+2 || rep.Throttled["GET /v1/centres"] != 1+2 {
		t.Errorf("throttled %v", rep.Throttled)
	}
	if rep.Default != "1/3" || rep.Routes["GET /v1/centres/{centre_id}"] != "2/2" {
		t.Errorf("report %+v", rep)
	}
}

// Without limits nothing is throttled, as before.
func TestNoLimitsThrottleNothing(t *testing.T) {
	fn := &fakeFn{}
	g := newTestGateway(t, fn)
	for range 500 {
		if w := serve(g, httptest.NewRequest("GET", "/v1/centres", nil)); w.Code != 200 {
			t.Fatalf("got %d", w.Code)
		}
	}
}

// blockingFn holds every invocation until release is closed.
type blockingFn struct {
	started chan struct{}
	release chan struct{}
}

func (f *blockingFn) Invoke(ctx context.Context, _ []byte) ([]byte, error) {
	f.started <- struct{}{}
	<-f.release
	return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "ok"})
}

// Reserved concurrency: with n invocations of a function running, the next
// is throttled by Lambda, which API Gateway answers 500; other functions
// are not held back, and a finished invocation frees its slot.
func TestReservedConcurrency(t *testing.T) {
	fn := &blockingFn{started: make(chan struct{}, 10), release: make(chan struct{})}
	g := limitedGateway(t, fn, samtemplate.Limits{Reserved: map[string]int{"Catalogue": 2}}, nil)
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Go(func() { codes <- serve(g, httptest.NewRequest("GET", "/v1/centres", nil)).Code })
	}
	<-fn.started
	<-fn.started
	if r := g.admission.report().Running["Catalogue"]; r != 2 {
		t.Errorf("running %d, want 2", r)
	}
	w := serve(g, httptest.NewRequest("GET", "/v1/centres/x", nil))
	if w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` {
		t.Fatalf("third invocation: %d %s, want API Gateway's 500", w.Code, w.Body)
	}
	// Files has no reservation: it runs beside them.
	other := make(chan int, 1)
	go func() { other <- serve(g, httptest.NewRequest("GET", "/files/a", nil)).Code }()
	<-fn.started
	close(fn.release)
	wg.Wait()
	if c := <-other; c != 200 {
		t.Errorf("unreserved function: %d", c)
	}
	for range 2 {
		if c := <-codes; c != 200 {
			t.Errorf("reserved invocation: %d", c)
		}
	}
	if w := serve(g, httptest.NewRequest("GET", "/v1/centres", nil)); w.Code != 200 {
		t.Errorf("after the others finished: %d", w.Code)
	}
	if r := g.admission.report().Refused["Catalogue"]; r != 1 {
		t.Errorf("refused %d, want 1", r)
	}
}

// POST /_local/admission answers the next requests of a route with the
// statuses asked for, in order, then lets them through.
func TestInjectedAdmission(t *testing.T) {
	fn := &fakeFn{}
	g := newTestGateway(t, fn)
	post := func(body string) *httptest.ResponseRecorder {
		return serve(g, httptest.NewRequest("POST", admissionPath, strings.NewReader(body)))
	}
	if w := post(`{"route":"GET /v1/centres","answer":[429,503,500]}`); w.Code != 200 {
		t.Fatalf("setting: %d %s", w.Code, w.Body)
	}
	w := serve(g, httptest.NewRequest("GET", "/v1/centres", nil))
	checkThrottled(t, w)
	w = serve(g, httptest.NewRequest("GET", "/v1/centres", nil))
	checkProblem(t, w, 503, "unavailable")
	if w.Header().Get("Retry-After") != "1" {
		t.Errorf("503 without Retry-After")
	}
	if w = serve(g, httptest.NewRequest("GET", "/v1/centres", nil)); w.Code != 500 {
		t.Errorf("third: %d", w.Code)
	}
	if w = serve(g, httptest.NewRequest("GET", "/v1/centres", nil)); w.Code != 200 || fn.calls() != 1 {
		t.Errorf("fourth: %d, function ran %d times", w.Code, fn.calls())
	}
	var rep AdmissionReport
	w = serve(g, httptest.NewRequest("GET", admissionPath, nil))
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || rep.Injected["GET /v1/centres"] != 3 || len(rep.Pending) != 0 {
		t.Errorf("report %s (%v)", w.Body, err)
	}
	// A new answer list replaces the pending one; an empty one clears it.
	post(`{"route":"GET /v1/centres","answer":[429,429]}`)
	post(`{"route":"GET /v1/centres","answer":[]}`)
	if w = serve(g, httptest.NewRequest("GET", "/v1/centres", nil)); w.Code != 200 {
		t.Errorf("after clearing: %d", w.Code)
	}
	for _, bad := range []string{`{"route":"GET /nowhere","answer":[429]}`, `{"route":"GET /v1/centres","answer":[404]}`, `{"route":"GET /v1/centres","answer":[429],"x":1}`, `not json`} {
		checkProblem(t, post(bad), 400, "invalid_request")
	}
}
