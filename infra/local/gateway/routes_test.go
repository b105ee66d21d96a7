package gateway

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

func TestRouting(t *testing.T) {
	tests := []struct {
		method, target string
		wantStatus     int
		wantKey        string
		wantParams     map[string]string
	}{
		{"GET", "/v1/centres", 200, "GET /v1/centres", nil},
		{"GET", "/v1/centres?district=binhu", 200, "GET /v1/centres", nil},
		{"GET", "/v1/centres/c-1", 200, "GET /v1/centres/{centre_id}", map[string]string{"centre_id": "c-1"}},
		{"GET", "/v1/centres/a%2Fb%20c", 200, "GET /v1/centres/{centre_id}", map[string]string{"centre_id": "a/b c"}},
		{"GET", "/v1/centres/special", 200, "GET /v1/centres/special", nil},
		{"GET", "/files/a/b/c.txt", 200, "GET /files/{proxy+}", map[string]string{"proxy": "a/b/c.txt"}},
		{"DELETE", "/files/x", 200, "ANY /files/{proxy+}", map[string]string{"proxy": "x"}},
		{"GET", "/files", 404, "", nil},
		{"GET", "/files/", 404, "", nil},
		{"POST", "/v1/centres", 404, "", nil}, // wrong method: API Gateway says 404 too
		{"GET", "/v1/centres/", 404, "", nil},
		{"GET", "/v1/centres/c-1/extra", 404, "", nil},
		{"GET", "/v1/nope", 404, "", nil},
		{"GET", "/", 404, "", nil},
		{"GET", "/_local/nope", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			fn := &fakeFn{}
			w := serve(newTestGateway(t, fn), httptest.NewRequest(tt.method, tt.target, nil))
			if tt.wantStatus == 404 {
				checkProblem(t, w, 404, "not_found")
				if fn.calls() != 0 {
					t.Error("function invoked on no match")
				}
				return
			}
			if w.Code != tt.wantStatus || w.Body.String() != tt.wantKey {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantKey)
			}
			ev := fn.last(t)
			if ev.RouteKey != tt.wantKey || ev.RequestContext.RouteKey != tt.wantKey {
				t.Errorf("routeKey = %q / %q", ev.RouteKey, ev.RequestContext.RouteKey)
			}
			if !reflect.DeepEqual(ev.PathParameters, tt.wantParams) {
				t.Errorf("pathParameters = %v, want %v", ev.PathParameters, tt.wantParams)
			}
		})
	}
}

func TestDefaultRouteAndFallback(t *testing.T) {
	fn := &fakeFn{}
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("front end"))
	})
	tests := []struct {
		name     string
		routes   []samtemplate.Route
		fallback http.Handler
		want     string
	}{
		{"fallback", testRoutes[:1], fallback, "front end"},
		{"$default route", append([]samtemplate.Route{{FunctionID: "Catalogue", Method: "ANY", Path: "$default"}}, testRoutes[:1]...), nil, "$default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(Config{Routes: tt.routes, Handlers: map[string]lambda.Handler{"Catalogue": fn},
				Fallback: tt.fallback, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			w := serve(g, httptest.NewRequest("GET", "/index.html", nil))
			if w.Code != 200 || w.Body.String() != tt.want {
				t.Errorf("got %d %q, want %q", w.Code, w.Body, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	iss, _ := issuers(t)
	fn := &fakeFn{}
	tests := []struct {
		name   string
		routes []samtemplate.Route
		issuer *Issuer
	}{
		{"no handler", []samtemplate.Route{{FunctionID: "Missing", Method: "GET", Path: "/x"}}, iss},
		{"authorizer without issuer", []samtemplate.Route{{FunctionID: "F", Method: "GET", Path: "/x", Authorizer: "Jwt"}}, nil},
		{"duplicate", []samtemplate.Route{{FunctionID: "F", Method: "GET", Path: "/x"}, {FunctionID: "F", Method: "GET", Path: "/x"}}, iss},
		{"greedy not last", []samtemplate.Route{{FunctionID: "F", Method: "GET", Path: "/{p+}/x"}}, iss},
		{"bad variable", []samtemplate.Route{{FunctionID: "F", Method: "GET", Path: "/a{b}"}}, iss},
		{"relative path", []samtemplate.Route{{FunctionID: "F", Method: "GET", Path: "x"}}, iss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{Routes: tt.routes, Handlers: map[string]lambda.Handler{"F": fn}, Issuer: tt.issuer})
			if err == nil {
				t.Error("want error")
			}
		})
	}
}

// TestRealTemplate serves the project's own template.yaml.
func TestRealTemplate(t *testing.T) {
	tpl, err := samtemplate.Load(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fn := &fakeFn{}
	handlers := map[string]lambda.Handler{}
	for id := range tpl.Functions {
		handlers[id] = fn
	}
	iss, _ := issuers(t)
	g, err := New(Config{Routes: tpl.Routes(), Handlers: handlers, Issuer: iss, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	tok := mustMint(t, iss, "u1", []string{"residents"}, nil, time.Hour)
	tests := []struct {
		method, target, token string
		want                  int
	}{
		{"GET", "/v1/centres", "", 200},
		{"GET", "/v1/offerings/o-1", "", 200},
		{"GET", "/v1/me/bookings", "", 401},
		{"GET", "/v1/me/bookings", tok, 200},
		{"POST", "/v1/offerings/o-1/bookings", tok, 200},
		{"DELETE", "/v1/me/bookings/b-1", tok, 404},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			if w := serve(g, r); w.Code != tt.want {
				t.Errorf("status = %d, want %d (%s)", w.Code, tt.want, w.Body)
			}
		})
	}
}
