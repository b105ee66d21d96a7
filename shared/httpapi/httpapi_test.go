package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
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
		{"null fields leave them be", "", `{"name":null}`, ""},
		{"form", "application/x-www-form-urlencoded", `name=a`, apperr.InvalidRequest},
		{"unknown field", "application/json", `{"name":"a","x":1}`, apperr.InvalidRequest},
		{"wrong type", "application/json", `{"n":"1"}`, apperr.InvalidRequest},
		{"malformed", "application/json", `{"name":`, apperr.InvalidRequest},
		{"trailing", "application/json", `{} {}`, apperr.InvalidRequest},
		{"array", "application/json", `[]`, apperr.InvalidRequest},
		{"null", "application/json", `null`, apperr.InvalidRequest},
		{"null with spaces", "application/json", " \r\n null ", apperr.InvalidRequest},
		{"string", "application/json", `"x"`, apperr.InvalidRequest},
		{"number", "application/json", `5`, apperr.InvalidRequest},
		{"true", "application/json", `true`, apperr.InvalidRequest},
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
	// Left out is fine; null is not an empty object.
	for _, in := range []string{"null", "[]", `"x"`} {
		if err := DecodeOptionalJSON(httptest.NewRequest("POST", "/", strings.NewReader(in)), &none); !apperr.Is(err, apperr.InvalidRequest) {
			t.Errorf("optional body %s: %v", in, err)
		}
	}
}

// goTypeNames are what encoding/json's own messages would have shown.
var goTypeNames = regexp.MustCompile(`struct ?\{|interface ?\{|\[\]|map\[|\*|\b(u?int(8|16|32|64)?|float(32|64))\b|time\.Time|domain\.|centrestaff\.|residents\.|httpapi\.`)

// TestDecodeErrorsSpeakJSON: a body of the wrong shape is answered in JSON's
// terms (string, integer, array of objects…), in Chinese and in English,
// naming the field by its path in the body; never with a Go type. The
// targets are the API's own request bodies.
func TestDecodeErrorsSpeakJSON(t *testing.T) {
	type attendance struct {
		Records []centrestaff.AttendanceRecord `json:"records"`
	}
	type book struct {
		ParticipantID *string `json:"participant_id"`
		JoinWaitlist  bool    `json:"join_waitlist"`
	}
	type cancel struct {
		Reason string `json:"reason"`
	}
	type numbers struct {
		Small  int8           `json:"small"`
		Count  uint           `json:"count"`
		Ratio  float64        `json:"ratio"`
		Tags   []string       `json:"tags"`
		Grid   [][]int        `json:"grid"`
		ByName map[string]int `json:"by_name"`
		Hidden string         `json:"-"`
	}
	cases := []struct {
		name  string
		dst   func() any
		in    string
		field string
		zh    string // the field's message, in Chinese
		en    string // and in English
	}{
		{"records not an array", func() any { return &attendance{} }, `{"records":{"booking_id":"b"}}`, "records", "应为数组（元素为对象（{…}））", "must be an array of objects"},
		{"a record not an object", func() any { return &attendance{} }, `{"records":[{"booking_id":"b","status":"present"},"x"]}`, "records[1]", "应为对象（{…}）", "must be an object ({…})"},
		{"a record's status a number", func() any { return &attendance{} }, `{"records":[{"booking_id":"b","status":"present"},{"booking_id":"c","status":3}]}`, "records[1].status", "应为字符串", "must be a string"},
		{"a record's unknown field", func() any { return &attendance{} }, `{"records":[{"booking_id":"b","state":"present"}]}`, "records[0].state", "未知字段", "unknown field"},
		{"participant an object", func() any { return &book{} }, `{"participant_id":{"id":"p"}}`, "participant_id", "应为字符串", "must be a string"},
		{"waitlist a string", func() any { return &book{} }, `{"participant_id":"p","join_waitlist":"yes"}`, "join_waitlist", "应为布尔值（true 或 false）", "must be a boolean (true or false)"},
		{"reason a list", func() any { return &cancel{} }, `{"reason":["a"]}`, "reason", "应为字符串", "must be a string"},
		{"capacity a string", func() any { return &domain.NewOffering{} }, `{"kind":"childcare","capacity":"20"}`, "capacity", "应为整数", "must be an integer"},
		{"capacity a fraction", func() any { return &domain.NewOffering{} }, `{"capacity":1.5}`, "capacity", "应为整数", "must be an integer"},
		{"capacity too big for any integer", func() any { return &domain.NewOffering{} }, `{"capacity":1e30}`, "capacity", "应为整数", "must be an integer"},
		{"a session a number", func() any { return &domain.NewOffering{} }, `{"schedule":{"text":"x","sessions":["2025-09-01",20250908]}}`, "schedule.sessions[1]", "应为字符串", "must be a string"},
		{"schedule a string", func() any { return &domain.NewOffering{} }, `{"schedule":"weekly"}`, "schedule", "应为对象（{…}）", "must be an object ({…})"},
		{"unknown nested field", func() any { return &domain.NewOffering{} }, `{"schedule":{"text":"x","colour":"red"}}`, "schedule.colour", "未知字段", "unknown field"},
		{"seasons not strings", func() any { return &domain.NewOffering{} }, `{"no_show_rule":{"max_unexcused_absences":2,"term_seasons":[1]}}`, "no_show_rule.term_seasons[0]", "应为字符串", "must be a string"},
		{"no-show rule a number", func() any { return &domain.NewOffering{} }, `{"no_show_rule":2}`, "no_show_rule", "应为对象（{…}）", "must be an object ({…})"},
		{"opening a number", func() any { return &domain.NewOffering{} }, `{"booking_opens_at":1751331600}`, "booking_opens_at", "应为RFC 3339 格式的日期时间字符串（如 2025-07-01T09:00:00+08:00）", "must be a date-time string in RFC 3339 form (e.g. 2025-07-01T09:00:00+08:00)"},
		{"opening not a date-time", func() any { return &domain.Patch{} }, `{"booking_closes_at":"2025-07-06"}`, "booking_closes_at", "应为RFC 3339 格式的日期时间字符串（如 2025-07-01T09:00:00+08:00）", "must be a date-time string in RFC 3339 form (e.g. 2025-07-01T09:00:00+08:00)"},
		{"patched title a number", func() any { return &domain.Patch{} }, `{"title":5}`, "title", "应为字符串", "must be a string"},
		{"patched status a boolean", func() any { return &domain.Patch{} }, `{"status":true}`, "status", "应为字符串", "must be a string"},
		{"name an array", func() any { return &domain.NewParticipant{} }, `{"name":["王"],"birth_date":"2020-01-01"}`, "name", "应为字符串", "must be a string"},
		{"id number a number", func() any { return &domain.NewParticipant{} }, `{"id_number":320211202305040011}`, "id_number", "应为字符串", "must be a string"},
		{"a field that is not there", func() any { return &struct{}{} }, `{"reason":"x"}`, "reason", "未知字段", "unknown field"},
		{"int8 overflow", func() any { return &numbers{} }, `{"small":300}`, "small", "应为整数", "must be an integer"},
		{"negative count", func() any { return &numbers{} }, `{"count":-1}`, "count", "应为整数", "must be an integer"},
		{"ratio a string", func() any { return &numbers{} }, `{"ratio":"0.5"}`, "ratio", "应为数字", "must be a number"},
		{"tags one number", func() any { return &numbers{} }, `{"tags":["a",1]}`, "tags[1]", "应为字符串", "must be a string"},
		{"tags an object", func() any { return &numbers{} }, `{"tags":{}}`, "tags", "应为数组（元素为字符串）", "must be an array of strings"},
		{"grid deep", func() any { return &numbers{} }, `{"grid":[[1,2],[3,"4"]]}`, "grid[1][1]", "应为整数", "must be an integer"},
		{"grid rows", func() any { return &numbers{} }, `{"grid":[1]}`, "grid[0]", "应为数组（元素为整数）", "must be an array of integers"},
		{"map value", func() any { return &numbers{} }, `{"by_name":{"a":1,"b":true}}`, "by_name.b", "应为整数", "must be an integer"},
		{"a field tagged -", func() any { return &numbers{} }, `{"Hidden":"x"}`, "Hidden", "未知字段", "unknown field"},
		{"case-insensitive key", func() any { return &numbers{} }, `{"RATIO":"x"}`, "RATIO", "应为数字", "must be a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"zh-CN", "en"} {
				r := httptest.NewRequest("POST", "/", strings.NewReader(c.in))
				r.Header.Set("Accept-Language", lang)
				err := DecodeJSON(r, c.dst())
				if !apperr.Is(err, apperr.InvalidRequest) {
					t.Fatalf("err %v, want invalid_request", err)
				}
				w := httptest.NewRecorder()
				WriteError(w, r, err)
				var p struct {
					Detail string
					Errors []struct{ Field, Message string }
				}
				if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
					t.Fatal(err)
				}
				want := c.zh
				if lang == "en" {
					want = c.en
				}
				if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Message != want {
					t.Errorf("%s: %s, want %s: %q", lang, w.Body, c.field, want)
				}
				if m := goTypeNames.FindString(w.Body.String()); m != "" {
					t.Errorf("%s: a Go type (%q) in %s", lang, m, w.Body)
				}
			}
		})
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
	// A 503 or 429 that names no wait still says Retry-After: 1.
	mux.Handle("GET /down", Handle(func(http.ResponseWriter, *http.Request) error {
		return apperr.New(apperr.Unavailable, "信标不可达", "beacon down")
	}))
	mux.Handle("GET /slow-down", Handle(func(http.ResponseWriter, *http.Request) error {
		return apperr.New(apperr.TooManyRequests, "太快", "too fast")
	}))
	h := Serve(slog.New(slog.NewJSONHandler(&logs, nil)), auth.Claims{}, mux)
	cases := []struct {
		path       string
		status     int
		code       apperr.Code
		retryAfter string
	}{
		{"/boom", 500, apperr.Internal, ""},
		{"/fail", 500, apperr.Internal, ""},
		{"/busy", 503, apperr.Unavailable, "2"},
		{"/down", 503, apperr.Unavailable, "1"},
		{"/slow-down", 429, apperr.TooManyRequests, "1"},
		{"/nowhere", 404, apperr.NotFound, ""},
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
		if ra := w.Header().Get("Retry-After"); ra != c.retryAfter {
			t.Fatalf("%s: Retry-After %q, want %q", c.path, ra, c.retryAfter)
		}
	}
	if n := strings.Count(logs.String(), `"msg":"request"`); n != len(cases) {
		t.Fatalf("%d request lines for %d requests", n, len(cases))
	}
	if !strings.Contains(logs.String(), "secret") {
		t.Fatal("the cause of a 500 should reach the log")
	}
}
