package gateway

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/wuxi-enrol/enrol/shared/clock"
)

// signed makes a token with iss's key and kid but arbitrary claims/method.
func signed(t *testing.T, iss *Issuer, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = iss.kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuthorizer(t *testing.T) {
	iss, stranger := issuers(t)
	now := testNow
	base := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "u1", "iss": testIssuerURL, "aud": testAudience,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		for k, v := range extra {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	wrongAud := &Issuer{url: iss.url, audience: "someone-else", key: iss.key, kid: iss.kid, now: iss.now}
	wrongIss := &Issuer{url: "https://evil.example", audience: iss.audience, key: iss.key, kid: iss.kid, now: iss.now}
	// The same key an hour and a half later, and earlier.
	later := &Issuer{url: iss.url, audience: iss.audience, key: iss.key, kid: iss.kid, now: clock.Fixed(now.Add(90 * time.Minute))}
	earlier := &Issuer{url: iss.url, audience: iss.audience, key: iss.key, kid: iss.kid, now: clock.Fixed(now.Add(-time.Hour))}
	valid := mustMint(t, iss, "u1", []string{"residents"}, nil, time.Hour)
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","iss":"`+testIssuerURL+`","aud":"`+testAudience+`","exp":9999999999}`)) + "." + parts[2]

	tests := []struct {
		name   string
		header string // the Authorization header; "-" means absent
		ok     bool
	}{
		{"valid", "Bearer " + valid, true},
		{"valid without Bearer prefix", valid, true},
		{"valid lower-case bearer", "bearer " + valid, true},
		{"access token with client_id", "Bearer " + signed(t, iss, jwt.SigningMethodRS256, iss.key, base(jwt.MapClaims{"aud": nil, "client_id": testAudience, "token_use": "access"})), true},
		{"audience in a list", "Bearer " + signed(t, iss, jwt.SigningMethodRS256, iss.key, base(jwt.MapClaims{"aud": []string{"x", testAudience}})), true},
		{"iat within leeway", "Bearer " + signed(t, iss, jwt.SigningMethodRS256, iss.key, base(jwt.MapClaims{"iat": now.Add(10 * time.Second).Unix()})), true},
		{"missing header", "-", false},
		{"empty bearer", "Bearer ", false},
		{"garbage", "Bearer not-a-jwt", false},
		{"token from another issuer", "Bearer " + mustMint(t, stranger, "u1", nil, nil, time.Hour), false},
		{"tampered payload", "Bearer " + tampered, false},
		{"wrong audience", "Bearer " + mustMint(t, wrongAud, "u1", nil, nil, time.Hour), false},
		{"wrong issuer", "Bearer " + mustMint(t, wrongIss, "u1", nil, nil, time.Hour), false},
		{"expired", "Bearer " + mustMint(t, iss, "u1", nil, nil, -time.Hour), false},
		{"minted by the clock half an hour ago", "Bearer " + mustMint(t, earlier, "u1", nil, nil, 90*time.Minute), true},
		{"expired by the clock, whatever the wall clock says", "Bearer " + mustMint(t, earlier, "u1", nil, nil, time.Hour-time.Minute), false},
		{"issued later by the clock", "Bearer " + mustMint(t, later, "u1", nil, nil, time.Hour), false},
		{"no exp", "Bearer " + signed(t, iss, jwt.SigningMethodRS256, iss.key, base(jwt.MapClaims{"exp": nil})), false},
		{"iat in the future", "Bearer " + signed(t, iss, jwt.SigningMethodRS256, iss.key, base(jwt.MapClaims{"iat": now.Add(time.Hour).Unix()})), false},
		{"nbf in the future", "Bearer " + signed(t, iss, jwt.SigningMethodRS256, iss.key, base(jwt.MapClaims{"nbf": now.Add(time.Hour).Unix()})), false},
		{"HS256", "Bearer " + signed(t, iss, jwt.SigningMethodHS256, []byte("secret"), base(nil)), false},
		{"alg none", "Bearer " + signed(t, iss, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base(nil)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			fn := &fakeFn{}
			g := newTestGateway(t, fn)
			g.log = slog.New(slog.NewTextHandler(&logs, nil))
			r := httptest.NewRequest("GET", "/v1/me/bookings", nil)
			if tt.header != "-" {
				r.Header.Set("Authorization", tt.header)
			}
			w := serve(g, r)
			if tt.ok {
				if w.Code != 200 {
					t.Fatalf("status = %d: %s", w.Code, w.Body)
				}
				if ev := fn.last(t); ev.RequestContext.Authorizer.JWT.Claims["sub"] != "u1" {
					t.Errorf("claims = %v", ev.RequestContext.Authorizer.JWT.Claims)
				}
			} else {
				p := checkProblem(t, w, 401, "unauthorized")
				if !hasCJK(p.Detail) {
					t.Errorf("detail %q is not Chinese by default", p.Detail)
				}
				if fn.calls() != 0 {
					t.Error("function invoked without a valid token")
				}
				if w.Header().Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
			}
			// The token never reaches the log.
			if tok := strings.TrimPrefix(tt.header, "Bearer "); len(tok) > 10 && strings.Contains(logs.String(), tok) {
				t.Error("token logged")
			}
			if n := strings.Count(logs.String(), "msg=request"); n != 1 {
				t.Errorf("%d access log lines, want 1: %s", n, logs.String())
			}
		})
	}
}

func TestUnauthorizedLanguage(t *testing.T) {
	tests := []struct {
		acceptLanguage string
		wantEnglish    bool
	}{
		{"", false},
		{"zh-CN,zh;q=0.9", false},
		{"en-GB,en;q=0.8", true},
		{"EN", true},
		{"fr, en", false},
	}
	for _, tt := range tests {
		t.Run(tt.acceptLanguage, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1/me/bookings", nil)
			r.Header.Set("Accept-Language", tt.acceptLanguage)
			p := checkProblem(t, serve(newTestGateway(t, &fakeFn{}), r), 401, "unauthorized")
			if hasCJK(p.Detail) == tt.wantEnglish {
				t.Errorf("detail %q, want English %v", p.Detail, tt.wantEnglish)
			}
		})
	}
}

func TestClaimText(t *testing.T) {
	iss, _ := issuers(t)
	tok := mustMint(t, iss, "u1", []string{"residents", "centre-staff"}, []string{"c1", "c2"}, time.Hour)
	claims, err := iss.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ claim, want string }{
		{"sub", "u1"},
		{"cognito:groups", "[residents centre-staff]"},
		{"custom:centre_ids", "c1,c2"},
		{"iss", testIssuerURL},
		{"aud", testAudience},
		{"token_use", "id"},
	}
	for _, tt := range tests {
		if got := claims[tt.claim]; got != tt.want {
			t.Errorf("%s = %q, want %q", tt.claim, got, tt.want)
		}
	}
	for _, num := range []string{"iat", "exp"} {
		if v := claims[num]; len(v) != 10 || strings.ContainsAny(v, ".e") {
			t.Errorf("%s = %q, want decimal seconds", num, v)
		}
	}
	// Empty groups and centres are left out, as Cognito does.
	claims, _ = iss.Verify(mustMint(t, iss, "u2", nil, nil, time.Hour))
	for _, c := range []string{"cognito:groups", "custom:centre_ids"} {
		if _, ok := claims[c]; ok {
			t.Errorf("%s present for a user without it", c)
		}
	}
	if got := claimText([]any{"a", true, map[string]any{"k": "v"}}); got != `[a true {"k":"v"}]` {
		t.Errorf("claimText = %q", got)
	}
}
