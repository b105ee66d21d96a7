package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/infra/throttle"
)

// admissionPath is the local-only switch and report of admission control:
// GET reports the limits and what they turned away; POST makes the next
// requests of a route answer as if admission had failed, for tests of
// clients that must wait and retry.
const admissionPath = "/_local/admission"

// What AWS answers when it does not admit a request. API Gateway's own
// answers are {"message": …}, not problem+json, and carry no Retry-After.
var (
	// An HTTP API route or stage over its throttle (token bucket).
	throttledBody = []byte(`{"message":"Too Many Requests"}`)
	// Lambda refused the invoke (the function's reserved concurrency, or
	// the account's, is in use): API Gateway answers 500, as for any
	// invocation error it does not retry.
	invokeThrottledBody = []byte(`{"message":"Internal Server Error"}`)
	// The function's own answer when its store is busy (retry.Busy).
	msgBusy = text{"服务繁忙，请稍后重试（可安全重试）", "The service is busy; please retry shortly (safe to retry)"}
)

// admission keeps the gateway's throttles, concurrency slots and injected
// refusals, and counts what they turned away.
type admission struct {
	mu        sync.Mutex
	limits    samtemplate.Limits
	buckets   map[string]*throttle.Bucket // by route key, made on first use
	slots     map[string]chan struct{}    // by function, for reserved concurrency
	inject    map[string][]int            // statuses to answer next, by route key
	throttled map[string]int              // 429s from the buckets, by route key
	refused   map[string]int              // invokes Lambda throttled, by function
	injected  map[string]int              // injected answers given, by route key
	tick      func() time.Time
}

func newAdmission(l *samtemplate.Limits, tick func() time.Time) *admission {
	a := &admission{buckets: map[string]*throttle.Bucket{}, slots: map[string]chan struct{}{},
		inject: map[string][]int{}, throttled: map[string]int{}, refused: map[string]int{}, injected: map[string]int{}, tick: tick}
	if l != nil {
		a.limits = *l
		for fn, n := range l.Reserved {
			if n > 0 {
				a.slots[fn] = make(chan struct{}, n)
			}
		}
	}
	return a
}

// admit answers whether a request of route may go on; if not, the status
// to refuse it with.
func (a *admission) admit(route string) (status int, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if q := a.inject[route]; len(q) > 0 {
		a.inject[route] = q[1:]
		a.injected[route]++
		return q[0], false
	}
	th, own := a.limits.Routes[route]
	if !own {
		if a.limits.Default == nil {
			return 0, true
		}
		th = *a.limits.Default
	}
	b := a.buckets[route]
	if b == nil {
		b = throttle.New(th.Rate, th.Burst)
		a.buckets[route] = b
	}
	if !b.Take(a.tick()) {
		a.throttled[route]++
		return http.StatusTooManyRequests, false
	}
	return 0, true
}

// acquire takes one of fn's reserved execution slots, never waiting: Lambda
// throttles a synchronous invoke at once. release is nil when refused.
func (a *admission) acquire(fn string) (release func(), ok bool) {
	s := a.slots[fn]
	if s == nil {
		return func() {}, true
	}
	select {
	case s <- struct{}{}:
		return func() { <-s }, true
	default:
		a.mu.Lock()
		a.refused[fn]++
		a.mu.Unlock()
		return nil, false
	}
}

// refuse answers a request admission turned away with status, as AWS (or,
// for 503, the function) would.
func refuse(w http.ResponseWriter, r *http.Request, status int) {
	switch status {
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
		writeProblem(w, r, status, "unavailable", msgBusy)
	case http.StatusInternalServerError:
		writeRaw(w, status, invokeThrottledBody)
	default:
		writeRaw(w, http.StatusTooManyRequests, throttledBody)
	}
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// AdmissionReport is GET /_local/admission's answer.
type AdmissionReport struct {
	// Default and Routes are the throttles in force, "rate/burst".
	Default string            `json:"default,omitempty"`
	Routes  map[string]string `json:"routes"`
	// Reserved is the reserved concurrency in force, by function.
	Reserved map[string]int `json:"reserved"`
	// Throttled counts the 429s the throttles answered, by route key;
	// Refused the invokes turned away for concurrency, by function;
	// Injected the answers POST asked for and given, by route key; Pending
	// those still to give.
	Throttled map[string]int   `json:"throttled"`
	Refused   map[string]int   `json:"refused"`
	Injected  map[string]int   `json:"injected"`
	Pending   map[string][]int `json:"pending"`
	// Running is the invocations now running of each reserving function.
	Running map[string]int `json:"running"`
}

// AdmissionRequest is POST /_local/admission's body: the next len(Answer)
// requests of Route are answered with these statuses, in order, without
// reaching the function: 429 as API Gateway's throttle, 500 as a Lambda
// throttle behind it, 503 as the function's busy store (with Retry-After).
// It replaces what was still pending for Route; an empty Answer clears it.
type AdmissionRequest struct {
	Route  string `json:"route"`
	Answer []int  `json:"answer"`
}

func (a *admission) report() AdmissionReport {
	a.mu.Lock()
	defer a.mu.Unlock()
	rep := AdmissionReport{Routes: map[string]string{}, Reserved: map[string]int{}, Throttled: clone(a.throttled),
		Refused: clone(a.refused), Injected: clone(a.injected), Pending: map[string][]int{}, Running: map[string]int{}}
	for fn, slots := range a.slots {
		rep.Running[fn] = len(slots)
	}
	if d := a.limits.Default; d != nil {
		rep.Default = rateText(*d)
	}
	for k, th := range a.limits.Routes {
		rep.Routes[k] = rateText(th)
	}
	for fn, n := range a.limits.Reserved {
		rep.Reserved[fn] = n
	}
	for k, q := range a.inject {
		if len(q) > 0 {
			rep.Pending[k] = slices.Clone(q)
		}
	}
	return rep
}

func rateText(th samtemplate.Throttle) string {
	return strconv.FormatFloat(th.Rate, 'f', -1, 64) + "/" + strconv.Itoa(th.Burst)
}

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Admission messages.
var (
	msgUnknownRoute  = text{"没有这个路由（应为模板中的路由键，如 \"POST /v1/offerings/{offering_id}/bookings\"）", "No such route (give a template route key, such as \"POST /v1/offerings/{offering_id}/bookings\")"}
	msgBadAdmissions = text{"answer 只能含 429、500、503，且最多 100 个", "answer may hold only 429, 500 and 503, at most 100 of them"}
)

func (g *Gateway) serveAdmission(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, g.admission.report())
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
	var req AdmissionRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err != nil || len(body) > 64<<10 || dec.Decode(&req) != nil || dec.More() {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgBadJSON)
		return
	}
	if !g.routes.has(req.Route) {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgUnknownRoute)
		return
	}
	if len(req.Answer) > 100 || slices.ContainsFunc(req.Answer, func(s int) bool {
		return s != http.StatusTooManyRequests && s != http.StatusInternalServerError && s != http.StatusServiceUnavailable
	}) {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgBadAdmissions)
		return
	}
	a := g.admission
	a.mu.Lock()
	a.inject[req.Route] = slices.Clone(req.Answer)
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, a.report())
}
