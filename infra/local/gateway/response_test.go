package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestFunctionResponse(t *testing.T) {
	const secret = "dynamodb: ConditionalCheckFailed on PK=ACCOUNT#u1"
	reply := func(v any) func(events.APIGatewayV2HTTPRequest) ([]byte, error) {
		return func(events.APIGatewayV2HTTPRequest) ([]byte, error) { return json.Marshal(v) }
	}
	tests := []struct {
		name        string
		respond     func(events.APIGatewayV2HTTPRequest) ([]byte, error)
		wantStatus  int
		wantBody    []byte
		wantHeaders http.Header
	}{
		{
			name: "headers, multi-value headers and cookies",
			respond: reply(events.APIGatewayV2HTTPResponse{
				StatusCode:        201,
				Headers:           map[string]string{"Content-Type": "application/json", "x-one": "1"},
				MultiValueHeaders: map[string][]string{"X-Many": {"a", "b"}, "X-One": {"ignored"}},
				Cookies:           []string{"s=1; HttpOnly", "t=2"},
				Body:              `{"id":"b-1"}`,
			}),
			wantStatus: 201,
			wantBody:   []byte(`{"id":"b-1"}`),
			wantHeaders: http.Header{
				"Content-Type": {"application/json"},
				"X-One":        {"1"},
				"X-Many":       {"a", "b"},
				"Set-Cookie":   {"s=1; HttpOnly", "t=2"},
			},
		},
		{
			name:       "base64 body",
			respond:    reply(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "AP8Q", IsBase64Encoded: true, Headers: map[string]string{"Content-Type": "application/octet-stream"}}),
			wantStatus: 200,
			wantBody:   []byte{0x00, 0xff, 0x10},
		},
		{
			name:        "no statusCode: the output is a JSON body",
			respond:     reply(map[string]any{"items": []string{}}),
			wantStatus:  200,
			wantBody:    []byte(`{"items":[]}`),
			wantHeaders: http.Header{"Content-Type": {"application/json"}},
		},
		{
			name:       "empty 204",
			respond:    reply(events.APIGatewayV2HTTPResponse{StatusCode: 204}),
			wantStatus: 204,
			wantBody:   []byte{},
		},
		{name: "handler error", respond: func(events.APIGatewayV2HTTPRequest) ([]byte, error) { return nil, errors.New(secret) }, wantStatus: 502},
		{name: "handler panic", respond: func(events.APIGatewayV2HTTPRequest) ([]byte, error) { panic(secret) }, wantStatus: 502},
		{name: "not JSON", respond: func(events.APIGatewayV2HTTPRequest) ([]byte, error) { return []byte(secret), nil }, wantStatus: 502},
		{name: "bad base64", respond: reply(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "%%%", IsBase64Encoded: true}), wantStatus: 502},
		{name: "status 0", respond: reply(map[string]any{"statusCode": 0, "body": secret}), wantStatus: 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			g := newTestGateway(t, &fakeFn{respond: tt.respond})
			g.log = slog.New(slog.NewTextHandler(&logs, nil))
			w := serve(g, httptest.NewRequest("GET", "/v1/centres", nil))
			if w.Header().Get("apigw-requestid") == "" {
				t.Error("no apigw-requestid header")
			}
			if tt.wantStatus == 502 {
				checkProblem(t, w, 502, "internal")
				if strings.Contains(w.Body.String(), "dynamodb") || strings.Contains(w.Body.String(), "panic") {
					t.Errorf("error leaked: %s", w.Body)
				}
				if !strings.Contains(logs.String(), "function failed") {
					t.Errorf("error not logged: %s", logs.String())
				}
				return
			}
			if w.Code != tt.wantStatus || !bytes.Equal(w.Body.Bytes(), tt.wantBody) {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.Bytes(), tt.wantStatus, tt.wantBody)
			}
			for k, want := range tt.wantHeaders {
				if got := w.Header().Values(k); !reflect.DeepEqual(got, want) {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	g := newTestGateway(t, &fakeFn{})
	seen := map[string]bool{}
	for range 50 {
		id := serve(g, httptest.NewRequest("GET", "/v1/centres", nil)).Header().Get("apigw-requestid")
		if id == "" || seen[id] {
			t.Fatalf("request id %q repeated or empty", id)
		}
		seen[id] = true
	}
}
