package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	cases := []struct {
		name, ct, in string
		want         apperr.Code
	}{
		{"ok", "application/json", `{"name":"a","n":1}`, ""},
		{"charset", "application/json; charset=utf-8", `{"name":"a"}`, ""},
		{"no content type", "", `{"name":"a"}`, ""},
		{"form", "application/x-www-form-urlencoded", `name=a`, apperr.InvalidRequest},
		{"unknown field", "application/json", `{"name":"a","x":1}`, apperr.InvalidRequest},
		{"wrong type", "application/json", `{"n":"1"}`, apperr.InvalidRequest},
		{"malformed", "application/json", `{"name":`, apperr.InvalidRequest},
		{"trailing", "application/json", `{} {}`, apperr.InvalidRequest},
		{"array", "application/json", `[]`, apperr.InvalidRequest},
		{"empty", "application/json", ``, apperr.InvalidRequest},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", MaxBody) + `"}`, apperr.PayloadTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.in))
			if c.ct != "" {
				r.Header.Set("Content-Type", c.ct)
			}
			var b body
			err := DecodeJSON(r, &b)
			if c.want == "" && err != nil || c.want != "" && !apperr.Is(err, c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(""))
	var none struct{}
	if err := DecodeOptionalJSON(r, &none); err != nil {
		t.Fatalf("optional empty body: %v", err)
	}
}

func TestPageAndQuery(t *testing.T) {
	cases := []struct {
		q     string
		limit int
		ok    bool
	}{
		{"", 50, true}, {"limit=1", 1, true}, {"limit=200", 200, true},
		{"limit=0", 0, false}, {"limit=201", 0, false}, {"limit=x", 0, false},
	}
	for _, c := range cases {
		p, err := PageOf(httptest.NewRequest("GET", "/?"+c.q, nil))
		if (err == nil) != c.ok || c.ok && p.Limit != c.limit {
			t.Errorf("%q: %+v %v", c.q, p, err)
		}
	}
	if err := Query(httptest.NewRequest("GET", "/?kind=a&limit=2", nil), "kind"); err != nil {
		t.Fatal(err)
	}
	if err := Query(httptest.NewRequest("GET", "/?kinds=a", nil), "kind"); !apperr.Is(err, apperr.InvalidRequest) {
		t.Fatal("unknown parameter accepted")
	}
}

func TestValidID(t *testing.T) {
	for id, ok := range map[string]bool{"bk_0123abc": true, "c-binhu-1": true, "": false, "a/b": false, "a#b": false, strings.Repeat("a", 65): false} {
		if ValidID(id) != ok {
			t.Errorf("ValidID(%q) = %v", id, !ok)
		}
	}
}

func TestEnglish(t *testing.T) {
	for h, en := range map[string]bool{"": false, "en": true, "en-US,en;q=0.9": true, "zh-CN,en;q=0.8": false, "fr,en;q=0.5": true} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", h)
		if English(r) != en {
			t.Errorf("%q: English = %v", h, !en)
		}
	}
}

func TestServe(t *testing.T) {
	var logs strings.Builder
	mux := http.NewServeMux()
	mux.Handle("GET /boom", Handle(func(http.ResponseWriter, *http.Request) error { panic("secret table enrol-prod") }))
	mux.Handle("GET /fail", Handle(func(http.ResponseWriter, *http.Request) error {
		return errors.New("ValidationException: PK secret")
	}))
	mux.Handle("GET /busy", Handle(func(http.ResponseWriter, *http.Request) error {
		e := apperr.New(apperr.Unavailable, "忙", "busy")
		e.RetryAfter = 2
		return e
	}))
	h := Serve(slog.New(slog.NewJSONHandler(&logs, nil)), mux)
	cases := []struct {
		path   string
		status int
		code   apperr.Code
	}{
		{"/boom", 500, apperr.Internal},
		{"/fail", 500, apperr.Internal},
		{"/busy", 503, apperr.Unavailable},
		{"/nowhere", 404, apperr.NotFound},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
		var p map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != c.status || p["code"] != string(c.code) || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: %d %s", c.path, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "secret") {
			t.Fatalf("%s: the cause leaked: %s", c.path, w.Body)
		}
		if c.status == 503 && w.Header().Get("Retry-After") != "2" {
			t.Fatal("no Retry-After")
		}
	}
	if n := strings.Count(logs.String(), `"msg":"request"`); n != len(cases) {
		t.Fatalf("%d request lines for %d requests", n, len(cases))
	}
	if !strings.Contains(logs.String(), "secret") {
		t.Fatal("the cause of a 500 should reach the log")
	}
}
