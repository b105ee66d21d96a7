package gateway

import (
	"bytes"
	"encoding/base64"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEventShape(t *testing.T) {
	iss, _ := issuers(t)
	tok := mustMint(t, iss, "u1", []string{"residents", "centre-staff"}, []string{"c1", "c2"}, time.Hour)
	fn := &fakeFn{}
	g := newTestGateway(t, fn)

	r := httptest.NewRequest("POST", "http://api.example.com:8080/v1/me/bookings/b%2D1/cancel?x=1&x=2&y=%E4%B8%AD&empty=", strings.NewReader(`{"reason":"<ill>"}`))
	r.RemoteAddr = "203.0.113.9:5555"
	r.Header.Set("Authorization", "Bearer "+tok)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "test-agent")
	r.Header.Add("X-Custom", "a")
	r.Header.Add("X-Custom", "b")
	r.Header.Add("Cookie", "a=1; b=2")
	r.Header.Add("Cookie", "c=3")
	w := serve(g, r)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	ev := fn.last(t)
	rc := ev.RequestContext

	checks := []struct {
		name      string
		got, want any
	}{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "POST /v1/me/bookings/{booking_id}/cancel"},
		{"rawPath", ev.RawPath, "/v1/me/bookings/b%2D1/cancel"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y=%E4%B8%AD&empty="},
		{"queryStringParameters", ev.QueryStringParameters, map[string]string{"x": "1,2", "y": "中", "empty": ""}},
		{"pathParameters", ev.PathParameters, map[string]string{"booking_id": "b-1"}},
		{"cookies", ev.Cookies, []string{"a=1", "b=2", "c=3"}},
		{"header x-custom", ev.Headers["x-custom"], "a,b"},
		{"header content-type", ev.Headers["content-type"], "application/json"},
		{"header host", ev.Headers["host"], "api.example.com:8080"},
		{"header x-forwarded-for", ev.Headers["x-forwarded-for"], "203.0.113.9"},
		{"header x-forwarded-port", ev.Headers["x-forwarded-port"], "8080"},
		{"header authorization passes through", ev.Headers["authorization"], "Bearer " + tok},
		{"body", ev.Body, `{"reason":"<ill>"}`},
		{"isBase64Encoded", ev.IsBase64Encoded, false},
		{"accountId", rc.AccountID, "000000000000"},
		{"apiId", rc.APIID, "local"},
		{"stage", rc.Stage, "$default"},
		{"ctx routeKey", rc.RouteKey, ev.RouteKey},
		{"domainName", rc.DomainName, "api.example.com:8080"},
		{"domainPrefix", rc.DomainPrefix, "api"},
		{"http.method", rc.HTTP.Method, "POST"},
		{"http.path", rc.HTTP.Path, "/v1/me/bookings/b%2D1/cancel"},
		{"http.protocol", rc.HTTP.Protocol, "HTTP/1.1"},
		{"http.sourceIp", rc.HTTP.SourceIP, "203.0.113.9"},
		{"http.userAgent", rc.HTTP.UserAgent, "test-agent"},
		{"requestId", rc.RequestID, w.Header().Get("apigw-requestid")},
		{"claims groups", rc.Authorizer.JWT.Claims["cognito:groups"], "[residents centre-staff]"},
		{"claims centres", rc.Authorizer.JWT.Claims["custom:centre_ids"], "c1,c2"},
		{"claims sub", rc.Authorizer.JWT.Claims["sub"], "u1"},
		{"scopes", rc.Authorizer.JWT.Scopes, []string(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	for name := range ev.Headers {
		if name != strings.ToLower(name) || name == "cookie" {
			t.Errorf("header %q in the event", name)
		}
	}
	// The gateway's clock, written in UTC as API Gateway writes it.
	if rc.Time != "31/Dec/2026:16:30:00 +0000" || rc.TimeEpoch != testNow.UnixMilli() {
		t.Errorf("time %q epoch %d, want %s", rc.Time, rc.TimeEpoch, testNow)
	}
	// The raw payload is the JSON Lambda would send: "<" is not escaped.
	if raw := fn.payloads[0]; !bytes.Contains(raw, []byte(`<ill>`)) {
		t.Errorf("payload escapes HTML: %s", raw)
	}
}

func TestEventPublicRouteHasNoAuthorizer(t *testing.T) {
	iss, _ := issuers(t)
	fn := &fakeFn{}
	r := httptest.NewRequest("GET", "/v1/centres", nil)
	// A token on a public route is not checked, even a bad one, as in AWS.
	r.Header.Set("Authorization", "Bearer "+mustMint(t, iss, "u1", nil, nil, -time.Hour))
	if w := serve(newTestGateway(t, fn), r); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	ev := fn.last(t)
	if ev.RequestContext.Authorizer != nil || ev.QueryStringParameters != nil || ev.PathParameters != nil || ev.Cookies != nil {
		t.Errorf("event = %+v", ev)
	}
}

func TestEventBodyEncoding(t *testing.T) {
	tests := []struct {
		name, contentType string
		body              []byte
		wantBase64        bool
	}{
		{"json", "application/json; charset=utf-8", []byte(`{"a":"中"}`), false},
		{"problem json", "application/problem+json", []byte(`{}`), false},
		{"text", "text/plain", []byte("hello"), false},
		{"form", "application/x-www-form-urlencoded", []byte("a=1&b=2"), false},
		{"no content type", "", []byte("plain"), false},
		{"octet-stream", "application/octet-stream", []byte("looks like text"), true},
		{"image", "image/png", []byte{0x89, 'P', 'N', 'G', 0, 0xff}, true},
		{"invalid utf-8 claimed as json", "application/json", []byte{'"', 0xff, 0xfe, '"'}, true},
		{"bad content type", "][", []byte("x"), true},
		{"empty", "application/json", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeFn{}
			r := httptest.NewRequest("PUT", "/files/upload", bytes.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			if w := serve(newTestGateway(t, fn), r); w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			ev := fn.last(t)
			if ev.IsBase64Encoded != tt.wantBase64 {
				t.Fatalf("isBase64Encoded = %v", ev.IsBase64Encoded)
			}
			got := []byte(ev.Body)
			if ev.IsBase64Encoded {
				var err error
				if got, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, tt.body) {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	if g := newTestGateway(t, &fakeFn{}); g.maxBody != 10<<20 {
		t.Errorf("limit = %d, want API Gateway's 10 MiB", g.maxBody)
	}
	const limit = 1024 // encoding 10 MiB under -race takes seconds
	tests := []struct {
		size int
		want int
	}{
		{limit, 200},
		{limit + 1, 413},
	}
	for _, tt := range tests {
		fn := &fakeFn{}
		g := newTestGateway(t, fn)
		g.maxBody = limit
		w := serve(g, httptest.NewRequest("POST", "/files/big", bytes.NewReader(make([]byte, tt.size))))
		if tt.want == 413 {
			checkProblem(t, w, 413, "payload_too_large")
			if fn.calls() != 0 {
				t.Error("function invoked with an oversized body")
			}
		} else if w.Code != tt.want {
			t.Errorf("size %d: status %d", tt.size, w.Code)
		}
	}
}
