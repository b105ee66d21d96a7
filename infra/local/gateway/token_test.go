package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func TestLocalToken(t *testing.T) {
	tests := []struct {
		name, body string
		wantStatus int
	}{
		{"resident", `{"sub":"u1","groups":["residents"]}`, 200},
		{"staff with centres", `{"sub":"s1","groups":["centre-staff"],"centre_ids":["c1","c2"]}`, 200},
		{"officer", `{"sub":"o1","groups":["city-officers"]}`, 200},
		{"no groups", `{"sub":"u1"}`, 200},
		{"unknown field", `{"sub":"u1","admin":true}`, 400},
		{"missing sub", `{"groups":["residents"]}`, 400},
		{"unknown group", `{"sub":"u1","groups":["admins"]}`, 400},
		{"malformed", `{"sub":`, 400},
		{"trailing data", `{"sub":"u1"}{"sub":"u2"}`, 400},
		{"wrong type", `{"sub":1}`, 400},
		{"empty", ``, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeFn{}
			g := newTestGateway(t, fn)
			w := serve(g, httptest.NewRequest("POST", "/_local/token", strings.NewReader(tt.body)))
			if tt.wantStatus == 400 {
				checkProblem(t, w, 400, "invalid_request")
				return
			}
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var resp struct {
				Token     string `json:"token"`
				ExpiresAt string `json:"expires_at"`
			}
			dec := json.NewDecoder(w.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&resp); err != nil {
				t.Fatal(err)
			}
			// An hour after the clock's now, to the second, as the token's exp says.
			exp, err := time.Parse(time.RFC3339, resp.ExpiresAt)
			if err != nil || !exp.Equal(testNow.Add(time.Hour)) {
				t.Errorf("expires_at = %q (%v), want %s", resp.ExpiresAt, err, testNow.Add(time.Hour).Format(time.RFC3339))
			}
			if claims, err := g.issuer.Verify(resp.Token); err != nil || claims["exp"] != fmt.Sprint(exp.Unix()) || claims["iat"] != fmt.Sprint(testNow.Unix()) {
				t.Errorf("claims %v (%v), want iat %d and exp %d", claims, err, testNow.Unix(), exp.Unix())
			}
			// The token opens a protected route.
			r := httptest.NewRequest("GET", "/v1/me/bookings", nil)
			r.Header.Set("Authorization", "Bearer "+resp.Token)
			if w := serve(g, r); w.Code != 200 {
				t.Fatalf("token refused: %d %s", w.Code, w.Body)
			}
			var req tokenRequest
			_ = json.Unmarshal([]byte(tt.body), &req)
			claims := fn.last(t).RequestContext.Authorizer.JWT.Claims
			if claims["sub"] != req.Sub || claims["custom:centre_ids"] != strings.Join(req.CentreIDs, ",") {
				t.Errorf("claims = %v", claims)
			}
			if len(req.Groups) > 0 && claims["cognito:groups"] != "["+strings.Join(req.Groups, " ")+"]" {
				t.Errorf("groups claim = %q", claims["cognito:groups"])
			}
		})
	}
}

func TestLocalEndpoints(t *testing.T) {
	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     string
	}{
		{"GET", "/_local/health", 200, `{"status":"ok"}`},
		{"GET", "/_local/token", 404, ""},
		{"GET", "/_local/.well-known/jwks.json", 200, `"kty":"RSA"`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := serve(newTestGateway(t, &fakeFn{}), httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("got %d %s", w.Code, w.Body)
			}
		})
	}
}

// TestHealthWhileStarting: /_local/health answers 503 {"status":"starting"}
// until the stack behind the gateway says it is up, then 200 {"status":"ok"}.
func TestHealthWhileStarting(t *testing.T) {
	iss, _ := issuers(t)
	var up atomic.Bool
	g, err := New(Config{
		Routes: testRoutes, Handlers: map[string]lambda.Handler{"Catalogue": &fakeFn{}, "Bookings": &fakeFn{}, "Files": &fakeFn{}},
		Issuer: iss, Logger: slog.New(slog.DiscardHandler), Ready: up.Load,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		up         bool
		status     int
		body       string
		retryAfter string
	}{
		{false, 503, `{"status":"starting"}`, "1"},
		{true, 200, `{"status":"ok"}`, ""},
	} {
		up.Store(tt.up)
		w := serve(g, httptest.NewRequest("GET", "/_local/health", nil))
		if w.Code != tt.status || w.Body.String() != tt.body || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Retry-After") != tt.retryAfter {
			t.Errorf("up %v: %d %s (Retry-After %q), want %d %s", tt.up, w.Code, w.Body, w.Header().Get("Retry-After"), tt.status, tt.body)
		}
	}
}

// TestLocalTokenRefusesDeletedUser: a user deleted from the pool cannot
// sign in again (401), others still can, and a token issued before the
// deletion still verifies, as API Gateway's JWT authorizer would accept it.
func TestLocalTokenRefusesDeletedUser(t *testing.T) {
	g := newTestGateway(t, &fakeFn{})
	before, err := g.issuer.Mint("gone", []string{"residents"}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	g.issuer.RefuseDeleted(func(sub string) bool { return sub == "gone" })
	w := serve(g, httptest.NewRequest("POST", "/_local/token", strings.NewReader(`{"sub":"gone","groups":["residents"]}`)))
	checkProblem(t, w, 401, "unauthorized")
	if _, err := g.issuer.Mint("gone", nil, nil, time.Hour); err != ErrDeleted {
		t.Errorf("Mint for a deleted user: %v, want ErrDeleted", err)
	}
	if w := serve(g, httptest.NewRequest("POST", "/_local/token", strings.NewReader(`{"sub":"here"}`))); w.Code != 200 {
		t.Errorf("another user: status %d", w.Code)
	}
	if _, err := g.issuer.Verify("Bearer " + before); err != nil {
		t.Errorf("the token issued before the deletion: %v", err)
	}
}

// TestBeforeMint: the PreTokenGeneration stand-in replaces the groups a
// token carries and adds claims, never one the Issuer sets (sub); its
// failure is a 500 at POST /_local/token, as a failing trigger fails the
// sign-in.
func TestBeforeMint(t *testing.T) {
	g := newTestGateway(t, &fakeFn{})
	var fail atomic.Bool
	g.issuer.BeforeMint(func(_ context.Context, sub string, groups []string) ([]string, map[string]string, error) {
		if fail.Load() {
			return nil, nil, errors.New("trigger failed")
		}
		return []string{"residents"}, map[string]string{"enrol:mfa_setup": "required", "sub": "someone-else"}, nil
	})
	tok, err := g.issuer.Mint("s1", []string{"centre-staff"}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := g.issuer.Verify(tok)
	if err != nil || claims["cognito:groups"] != "[residents]" || claims["enrol:mfa_setup"] != "required" || claims["sub"] != "s1" {
		t.Errorf("claims %v (%v), want groups [residents], enrol:mfa_setup required, sub s1", claims, err)
	}
	fail.Store(true)
	w := serve(g, httptest.NewRequest("POST", "/_local/token", strings.NewReader(`{"sub":"s1","groups":["centre-staff"]}`)))
	checkProblem(t, w, 500, "internal")
}
