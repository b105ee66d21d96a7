package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// TestServeNamesCallerAndCounts: the request line carries the caller's sub
// and highest group (public without claims), never the token; a 4xx is
// counted under its code, a 503 as Unavailable, a 2xx not at all.
func TestServeNamesCallerAndCounts(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /ok", Handle(func(w http.ResponseWriter, _ *http.Request) error { w.WriteHeader(204); return nil }))
	mux.Handle("GET /full", Handle(func(http.ResponseWriter, *http.Request) error {
		return apperr.New(apperr.OfferingFull, "满", "full")
	}))
	mux.Handle("GET /busy", Handle(func(http.ResponseWriter, *http.Request) error { return apperr.New(apperr.Unavailable, "忙", "busy") }))
	cases := []struct {
		path      string
		claims    map[string]string
		sub, role string
		metric    string
		dim       []metrics.Dim
	}{
		{"/ok", nil, "", "public", "", nil},
		{"/ok", map[string]string{"sub": "u1", "cognito:groups": "[residents city-officers]"}, "u1", "city-officers", "", nil},
		{"/full", map[string]string{"sub": "u2", "cognito:groups": "[residents centre-staff]"}, "u2", "centre-staff", metrics.Refusals, []metrics.Dim{{Name: "Code", Value: "offering_full"}}},
		{"/busy", map[string]string{"sub": "u3", "cognito:groups": "[residents]"}, "u3", "residents", metrics.Unavailable, nil},
		{"/ok", map[string]string{"sub": "u4"}, "u4", "none", "", nil},
	}
	for _, c := range cases {
		var logs strings.Builder
		h := Serve(slog.New(slog.NewJSONHandler(&logs, nil)), auth.Claims{}, mux)
		ctx, rec := metrics.With(withClaims(t, c.claims))
		r := httptest.NewRequest("GET", c.path, nil).WithContext(ctx)
		r.Header.Set("Authorization", "Bearer eyJsecret")
		h.ServeHTTP(httptest.NewRecorder(), r)
		var line map[string]any
		if err := json.Unmarshal([]byte(logs.String()), &line); err != nil {
			t.Fatal(err)
		}
		if line["sub"] != c.sub || line["role"] != c.role {
			t.Errorf("%s %v: sub %v role %v, want %q %q", c.path, c.claims, line["sub"], line["role"], c.sub, c.role)
		}
		if strings.Contains(logs.String(), "eyJ") {
			t.Errorf("the token is in the log: %s", logs.String())
		}
		var total float64
		for _, m := range []string{metrics.Refusals, metrics.Unavailable} {
			for _, d := range [][]metrics.Dim{nil, {{Name: "Code", Value: "offering_full"}}} {
				total += rec.Get(m, d...)
			}
		}
		if c.metric == "" && total != 0 || c.metric != "" && (rec.Get(c.metric, c.dim...) != 1 || total != 1) {
			t.Errorf("%s: counted %v in all, want one %s %v", c.path, total, c.metric, c.dim)
		}
	}
}

func withClaims(t *testing.T, claims map[string]string) context.Context {
	t.Helper()
	rc := events.APIGatewayV2HTTPRequestContext{RequestID: "r1"}
	if claims != nil {
		rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	r, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), events.APIGatewayV2HTTPRequest{RequestContext: rc})
	if err != nil {
		t.Fatal(err)
	}
	return r.Context()
}
