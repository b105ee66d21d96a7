package gateway

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// TestHTTPAdapter runs a plain http.Handler behind the same adapter the
// functions use in AWS, proving the event round-trips through it.
func TestHTTPAdapter(t *testing.T) {
	type seen struct {
		method, path, query, body, groups, sub, lang string
		ok                                           bool
	}
	got := make(chan seen, 1)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s := seen{method: r.Method, path: r.URL.Path, query: r.URL.Query().Get("q"), body: string(body), lang: r.Header.Get("Accept-Language")}
		if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.Authorizer != nil && rc.Authorizer.JWT != nil {
			s.ok = true
			s.sub = rc.Authorizer.JWT.Claims["sub"]
			s.groups = rc.Authorizer.JWT.Claims["cognito:groups"]
		}
		got <- s
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	fn := lambda.NewHandler(httpadapter.NewV2(app).ProxyWithContext)

	iss, _ := issuers(t)
	g, err := New(Config{
		Routes:   []samtemplate.Route{{FunctionID: "App", Method: "POST", Path: "/v1/offerings/{offering_id}/bookings", Authorizer: "CognitoAuthorizer"}},
		Handlers: map[string]lambda.Handler{"App": fn},
		Issuer:   iss,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/v1/offerings/o-1/bookings?q=%E4%B8%AD", strings.NewReader(`{"participant_id":"p-1"}`))
	r.Header.Set("Authorization", "Bearer "+mustMint(t, iss, "u1", []string{"residents", "centre-staff"}, nil, time.Hour))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept-Language", "en")
	w := serve(g, r)

	if w.Code != http.StatusAccepted || w.Body.String() != `{"ok":true}` {
		t.Fatalf("response %d %s", w.Code, w.Body)
	}
	if c := w.Header().Get("Set-Cookie"); c != "seen=1" {
		t.Errorf("Set-Cookie = %q", c)
	}
	want := seen{method: "POST", path: "/v1/offerings/o-1/bookings", query: "中", body: `{"participant_id":"p-1"}`,
		groups: "[residents centre-staff]", sub: "u1", lang: "en", ok: true}
	if s := <-got; s != want {
		t.Errorf("handler saw %+v\nwant %+v", s, want)
	}
}
