package gateway

import (
	"context"
	"encoding/json"
	"io"
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

const (
	testIssuerURL = "https://cognito-idp.local/pool"
	testAudience  = "enrol-web"
)

// testNow is the gateway's and the issuers' time in these tests: 1 January
// 00:30 in Wuxi, still 31 December in UTC.
var testNow = time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("CST", 8*3600))

// RSA key generation is slow under -race, so the tests share two issuers.
var (
	issuersOnce   sync.Once
	issuer, other *Issuer
)

func issuers(t *testing.T) (*Issuer, *Issuer) {
	t.Helper()
	issuersOnce.Do(func() {
		var err error
		if issuer, err = NewIssuer(testIssuerURL, testAudience, clock.Fixed(testNow)); err != nil {
			panic(err)
		}
		if other, err = NewIssuer(testIssuerURL, testAudience, clock.Fixed(testNow)); err != nil {
			panic(err)
		}
	})
	return issuer, other
}

// fakeFn is a lambda.Handler that records the payloads it gets and answers
// with respond (default: 200 with the route key as body).
type fakeFn struct {
	mu       sync.Mutex
	payloads [][]byte
	respond  func(ev events.APIGatewayV2HTTPRequest) ([]byte, error)
}

var _ lambda.Handler = (*fakeFn)(nil)

func (f *fakeFn) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	f.mu.Lock()
	f.payloads = append(f.payloads, append([]byte(nil), payload...))
	f.mu.Unlock()
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	if f.respond != nil {
		return f.respond(ev)
	}
	return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: ev.RouteKey})
}

// last decodes the last payload the function received.
func (f *fakeFn) last(t *testing.T) events.APIGatewayV2HTTPRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.payloads) == 0 {
		t.Fatal("function was not invoked")
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(f.payloads[len(f.payloads)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func (f *fakeFn) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.payloads)
}

var testRoutes = []samtemplate.Route{
	{FunctionID: "Catalogue", Method: "GET", Path: "/v1/centres", Authorizer: "NONE"},
	{FunctionID: "Catalogue", Method: "GET", Path: "/v1/centres/{centre_id}", Authorizer: "NONE"},
	{FunctionID: "Catalogue", Method: "GET", Path: "/v1/centres/special", Authorizer: "NONE"},
	{FunctionID: "Bookings", Method: "POST", Path: "/v1/me/bookings/{booking_id}/cancel", Authorizer: "CognitoAuthorizer"},
	{FunctionID: "Bookings", Method: "GET", Path: "/v1/me/bookings", Authorizer: "CognitoAuthorizer"},
	{FunctionID: "Files", Method: "ANY", Path: "/files/{proxy+}"},
	{FunctionID: "Files", Method: "GET", Path: "/files/{proxy+}"},
}

// newTestGateway wires fn as every function of testRoutes.
func newTestGateway(t *testing.T, fn *fakeFn) *Gateway {
	t.Helper()
	iss, _ := issuers(t)
	g, err := New(Config{
		Routes:   testRoutes,
		Handlers: map[string]lambda.Handler{"Catalogue": fn, "Bookings": fn, "Files": fn},
		Issuer:   iss,
		Logger:   slog.New(slog.DiscardHandler),
		Now:      clock.Fixed(testNow),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func mustMint(t *testing.T, iss *Issuer, sub string, groups, centres []string, ttl time.Duration) string {
	t.Helper()
	tok, err := iss.Mint(sub, groups, centres, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// checkProblem asserts a problem+json answer with status and code.
func checkProblem(t *testing.T, w *httptest.ResponseRecorder, status int, code string) problem {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var p problem
	body, _ := io.ReadAll(w.Body)
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if p.Type != "about:blank" || p.Status != status || p.Code != code || p.Title != http.StatusText(status) || p.Detail == "" {
		t.Errorf("problem = %+v", p)
	}
	if p.RequestID == "" || p.RequestID != w.Header().Get("apigw-requestid") {
		t.Errorf("request id %q vs header %q", p.RequestID, w.Header().Get("apigw-requestid"))
	}
	return p
}

func hasCJK(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
}
