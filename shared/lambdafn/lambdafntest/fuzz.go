package lambdafntest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// Offline is Deps whose DynamoDB client sends nothing: every call fails at
// once as throttled (the store's 503), and is counted in calls. So a fuzz
// target runs a function's decoding and validation at full speed, and
// knows whether a request got past them to the store. KMS is the stand-in.
func Offline(t testing.TB, now func() time.Time) (d lambdafn.Deps, calls *atomic.Int64) {
	t.Helper()
	calls = new(atomic.Int64)
	refuse := func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("enrol/offline",
				func(context.Context, middleware.InitializeInput, middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					calls.Add(1)
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "offline", Fault: smithy.FaultServer}
				}), middleware.After)
		})
	}
	d, err := lambdafn.Load(context.Background(), dbtest.Config(t), slog.New(slog.DiscardHandler), refuse)
	if err != nil {
		t.Fatal(err)
	}
	d.Now = now
	// As deployed: a feed's address starts with the API's (without it,
	// POST /v1/me/calendar-feed is a 500, the deployment's fault).
	d.Config.APIURL = "https://api.enrol.test"
	return d, calls
}

// Route is a route to fuzz: its pattern as the mux has it ("POST
// /v1/offerings/{offering_id}/bookings"), and who calls it (nil: nobody
// signed in).
type Route struct {
	Pattern string
	As      *auth.Caller
}

// FuzzInput is one fuzzed request: which route (an index into the routes,
// wrapping), its path values (comma-separated, in the pattern's order),
// the raw query, the body (sent as JSON when not empty) and an
// Idempotency-Key.
type FuzzInput struct {
	Route          uint8
	Params, Query  string
	Body           string
	IdempotencyKey string
}

// FuzzNow is the fuzzed functions' clock's time, fixed: a summer's day
// before the autumn term, in Wuxi.
var FuzzNow = time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)

// FuzzRoutes fuzzes the routes of the function build makes, over Offline
// deps on FuzzNow's clock, from seeds and whatever the fuzzer makes of
// them. Whatever the request, the function never panics and answers a
// success, a 4xx problem document whose code is that status's, or, only
// when the request reached the store (which refuses every call), the
// store's 503: never a 500. Seeds whose Route is out of range wrap.
func FuzzRoutes(f *testing.F, build func(lambdafn.Deps) http.Handler, routes []Route, seeds ...FuzzInput) {
	f.Helper()
	for _, s := range seeds {
		f.Add(s.Route, s.Params, s.Query, []byte(s.Body), s.IdempotencyKey)
	}
	d, calls := Offline(f, func() time.Time { return FuzzNow })
	h := build(d)
	f.Fuzz(func(t *testing.T, route uint8, params, query string, body []byte, key string) {
		rt := routes[int(route)%len(routes)]
		method, path, _ := strings.Cut(rt.Pattern, " ")
		r := httptest.NewRequest(method, fill(path, params), strings.NewReader(string(body)))
		r.URL.RawQuery = query
		if len(body) > 0 {
			r.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		before := calls.Load()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, As(r, rt.As))
		reached := calls.Load() > before
		if w.Code < 400 { // a success, or the mux's redirect to a cleaned path
			return
		}
		var p struct {
			Status int         `json:"status"`
			Code   apperr.Code `json:"code"`
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") || json.Unmarshal(w.Body.Bytes(), &p) != nil {
			t.Fatalf("%s %s answered %d without a problem document (%s): %s", method, r.URL, w.Code, ct, w.Body)
		}
		switch {
		case p.Code == "" || p.Code.Status() != w.Code || p.Status != w.Code:
			t.Fatalf("%s %s answered %d with code %q, status %d", method, r.URL, w.Code, p.Code, p.Status)
		case w.Code == http.StatusServiceUnavailable && reached:
			// The store refused the call: the request's input was accepted.
		case w.Code >= 500:
			t.Fatalf("%s %s answered %d %s (store reached: %v): %s", method, r.URL, w.Code, p.Code, reached, w.Body)
		}
	})
}

// fill puts params' comma-separated values, escaped, in path's {names} in
// order; a missing value is "x".
func fill(path, params string) string {
	values := strings.Split(params, ",")
	var b strings.Builder
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			b.WriteString(path)
			return b.String()
		}
		end := strings.IndexByte(path[open:], '}') + open
		v := "x"
		if len(values) > 0 && values[0] != "" {
			v = values[0]
		}
		if len(values) > 0 {
			values = values[1:]
		}
		b.WriteString(path[:open] + url.PathEscape(v))
		path = path[end+1:]
	}
}
