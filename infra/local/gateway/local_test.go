package gateway

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// echoLocal answers with what a Config.Local handler can see of the request;
// FunctionId "boom" answers a problem.
var echoLocal = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("FunctionId") == "boom" {
		WriteProblem(w, r, http.StatusInternalServerError, "internal", "出错了", "it broke")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"id": r.PathValue("FunctionId"), "request_id": RequestID(r.Context()),
	})
})

func TestLocalHandlers(t *testing.T) {
	iss, _ := issuers(t)
	logs := &bytes.Buffer{}
	fn := &fakeFn{}
	g, err := New(Config{
		Routes:   testRoutes,
		Handlers: map[string]lambda.Handler{"Catalogue": fn, "Bookings": fn, "Files": fn},
		Issuer:   iss,
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Local:    map[string]http.Handler{"POST /_local/schedule/{FunctionId}": echoLocal},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantID             string // the path value echoed; "" for a problem
	}{
		{"served with its path value", "POST", "/_local/schedule/SnapshotFunction", 200, "SnapshotFunction"},
		{"another value", "POST", "/_local/schedule/Other", 200, "Other"},
		{"its problem", "POST", "/_local/schedule/boom", 500, ""},
		{"other method: 404 as for a route", "GET", "/_local/schedule/SnapshotFunction", 404, ""},
		{"no value", "POST", "/_local/schedule/", 404, ""},
		{"below it", "POST", "/_local/schedule/a/b", 404, ""},
		{"unknown local path", "POST", "/_local/nope", 404, ""},
		{"the gateway's own still served", "GET", "/_local/health", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(g, httptest.NewRequest(tt.method, tt.path, nil))
			switch {
			case tt.wantStatus == 500:
				checkProblem(t, w, 500, "internal")
			case tt.wantStatus == 404:
				checkProblem(t, w, 404, "not_found")
			case tt.wantID != "":
				var got map[string]string
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
					t.Fatalf("%d %s (%v)", w.Code, w.Body, err)
				}
				if got["id"] != tt.wantID {
					t.Errorf("path value = %q, want %q", got["id"], tt.wantID)
				}
				if got["request_id"] == "" || got["request_id"] != w.Header().Get("Apigw-Requestid") {
					t.Errorf("RequestID = %q, header %q", got["request_id"], w.Header().Get("Apigw-Requestid"))
				}
			default:
				if w.Code != tt.wantStatus {
					t.Errorf("status %d, want %d", w.Code, tt.wantStatus)
				}
			}
		})
	}
	if fn.calls() != 0 {
		t.Errorf("a local request reached a function %d times", fn.calls())
	}
	// The access log names the local endpoint's pattern as the route.
	if !strings.Contains(logs.String(), `"route":"POST /_local/schedule/{FunctionId}"`) {
		t.Errorf("access log lacks the local route:\n%s", logs)
	}
}

func TestLocalHandlersProblemLanguage(t *testing.T) {
	g := newLocalGateway(t, map[string]http.Handler{"POST /_local/schedule/{FunctionId}": echoLocal})
	for _, tt := range []struct{ lang, want string }{{"", "出错了"}, {"en", "it broke"}} {
		r := httptest.NewRequest("POST", "/_local/schedule/boom", nil)
		r.Header.Set("Accept-Language", tt.lang)
		if p := checkProblem(t, serve(g, r), 500, "internal"); p.Detail != tt.want {
			t.Errorf("Accept-Language %q: detail %q, want %q", tt.lang, p.Detail, tt.want)
		}
	}
}

func TestLocalHandlersConfig(t *testing.T) {
	h := http.NotFoundHandler()
	tests := []struct {
		name    string
		local   map[string]http.Handler
		wantErr string
	}{
		{"none", nil, ""},
		{"several", map[string]http.Handler{"POST /_local/a": h, "GET /_local/b/{x}": h}, ""},
		{"no method", map[string]http.Handler{"/_local/a": h}, "method"},
		{"outside /_local", map[string]http.Handler{"POST /v1/offerings": h}, "not under /_local/"},
		{"the bare prefix", map[string]http.Handler{"POST /_local": h}, "not under /_local/"},
		{"a host", map[string]http.Handler{"POST example.com/_local/a": h}, "not under /_local/"},
		{"the token endpoint", map[string]http.Handler{"POST /_local/token": h}, "gateway's own"},
		{"the JWKS", map[string]http.Handler{"GET /_local/.well-known/jwks.json": h}, "gateway's own"},
		{"no handler", map[string]http.Handler{"POST /_local/a": nil}, "no handler"},
		{"a bad pattern", map[string]http.Handler{"POST /_local/{": h}, "local endpoint"},
		{"two patterns that conflict", map[string]http.Handler{"POST /_local/{a}": h, "POST /_local/{b}": h}, "local endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, _ := issuers(t)
			_, err := New(Config{Routes: testRoutes, Handlers: map[string]lambda.Handler{"Catalogue": &fakeFn{}, "Bookings": &fakeFn{}, "Files": &fakeFn{}},
				Issuer: iss, Local: tt.local})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("New: error %v, want one about %q", err, tt.wantErr)
			}
		})
	}
}

func newLocalGateway(t *testing.T, local map[string]http.Handler) *Gateway {
	t.Helper()
	iss, _ := issuers(t)
	fn := &fakeFn{}
	g, err := New(Config{Routes: testRoutes, Handlers: map[string]lambda.Handler{"Catalogue": fn, "Bookings": fn, "Files": fn},
		Issuer: iss, Logger: slog.New(slog.DiscardHandler), Local: local})
	if err != nil {
		t.Fatal(err)
	}
	return g
}
