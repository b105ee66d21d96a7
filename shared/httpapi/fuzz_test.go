package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// bodies make a fresh value of each type a route decodes its body into.
var bodies = []func() any{
	func() any { return new(domain.NewParticipant) },
	func() any { return new(domain.NewOffering) },
	func() any { return new(domain.Patch) },
	func() any { return new(domain.NewRound) },
	func() any { return new(cityoffice.NewPolicy) },
	func() any { return new(centrestaff.ClaimDecisionInput) },
	func() any {
		return new(struct {
			Records []centrestaff.AttendanceRecord `json:"records"`
		})
	},
	func() any {
		return new(struct {
			ParticipantID *string  `json:"participant_id"`
			JoinWaitlist  bool     `json:"join_waitlist"`
			Siblings      []string `json:"siblings"`
			Choices       []string `json:"choices"`
		})
	},
	func() any { return new(struct{}) },
}

// goSpelling is what a message would hold if it named a Go type.
var goSpelling = []string{"struct", "[]", "map[", "*", "domain.", "centrestaff.", "cityoffice.", "time.Time", "int64", "float64", "interface"}

// FuzzDecodeJSON: whatever the body and Content-Type, DecodeJSON into any
// of the routes' body types never panics and either refuses with a 400 (or
// 413) that names no Go type, or accepts a value that encodes to a body
// DecodeJSON accepts again as the same value.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []struct {
		target uint8
		ct     string
		body   string
	}{
		{0, "application/json", `{"name":"居民","birth_date":"1995-03-01","id_number":"32020219950301001X"}`},
		{0, "application/json", `{"name":"孩子","guardian_consent":{"notice_version":"2025-01","agreed":true}}`},
		{0, "text/plain", `{}`},
		{1, "", `{"kind":"childcare","capacity":"10","schedule":{"days":[1,2]}}`},
		{1, "application/json; charset=utf-8", `{"booking_opens_at":"2025-07-01T09:00:00+08:00","min_age_months":-1}`},
		{2, "", `{"capacity":1e400}`},
		{2, "", `{"status":null,"draw_at":"yesterday"}`},
		{3, "", `{"offering_ids":["a","b",3],"max_choices":2}`},
		{4, "", `{"tiers":[{"code":"sibling","rank":1}],"effective_from":"2025-07-01T09:00:00Z"}`},
		{5, "", `{"code":"sibling","decision":"confirmed","note":""}`},
		{6, "", `{"records":[{"booking_id":"b1","status":"present"},{"booking_id":2}]}`},
		{6, "", `{"records":[{"booking_id":"b1","STATUS":"absent","x":1}]}`},
		{7, "", `{"participant_id":"p1"} {}`},
		{7, "", ` {"siblings":"p2"`},
		{8, "", "  \r\n"},
		{8, "", `null`},
		{8, "", `{"a":[[[[{}]]]]}`},
	} {
		f.Add(s.target, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, target uint8, ct string, body []byte) {
		newBody := bodies[int(target)%len(bodies)]
		dst := newBody()
		err := DecodeJSON(request(ct, body), dst)
		if err != nil {
			e, ok := errors.AsType[*apperr.Error](err)
			if !ok || (e.Code != apperr.InvalidRequest && e.Code != apperr.PayloadTooLarge) {
				t.Fatalf("refused with %v", err)
			}
			texts := []string{e.Text.ZH, e.Text.EN}
			for _, field := range e.Fields {
				texts = append(texts, field.Text.ZH, field.Text.EN)
			}
			for _, text := range texts {
				for _, s := range goSpelling {
					if strings.Contains(text, s) {
						t.Fatalf("a message names a Go type (%q): %q", s, text)
					}
				}
			}
			return
		}
		again, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("an accepted body does not encode: %v", err)
		}
		back := newBody()
		if err := DecodeJSON(request("application/json", again), back); err != nil {
			t.Fatalf("the accepted value, encoded (%s), is refused: %v", again, err)
		}
		if twice, _ := json.Marshal(back); !bytes.Equal(twice, again) {
			t.Fatalf("the accepted value changed on a round trip:\n%s\n%s", again, twice)
		}
	})
}

// FuzzDecodeOptionalJSON: a body of only white space is no body; anything
// else is DecodeJSON's to judge.
func FuzzDecodeOptionalJSON(f *testing.F) {
	for _, s := range []string{"", " \t\r\n", "{}", "{ }", "null", `{"x":1}`, "\v"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var none struct{}
		err := DecodeOptionalJSON(request("", body), &none)
		full := DecodeJSON(request("", body), &none)
		switch blank := len(bytes.Trim(body, " \t\r\n")) == 0; {
		case blank && err != nil:
			t.Fatalf("a blank body is refused: %v", err)
		case !blank && (err == nil) != (full == nil):
			t.Fatalf("DecodeOptionalJSON answered %v, DecodeJSON %v", err, full)
		}
	})
}

func request(contentType string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// FuzzParams: whatever the query and path value, the parameter readers
// never panic, refuse only with a 400 (a 404 for a path id) naming the
// parameter, and what they accept is in range: a limit of 1..200, a known
// kind and district, a real date, an id of the allowed characters.
func FuzzParams(f *testing.F) {
	for _, s := range []struct{ query, id string }{
		{"limit=50&cursor=abc", "o1"},
		{"limit=0", "a_b-C9"},
		{"limit=201&kind=childcare", ""},
		{"limit=-1&district=binhu&from=2025-02-29", "../x"},
		{"kind=pool&to=2025-13-01", "é"},
		{"limit=%zz&colour=red", strings.Repeat("a", 65)},
		{"limit=+7&limit=8", "a b"},
		{"from=2025-07-01&to=2026-07-01&status=confirmed", "x%2Fy"},
	} {
		f.Add(s.query, s.id)
	}
	f.Fuzz(func(t *testing.T, query, id string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = query
		r.SetPathValue("id", id)
		q := r.URL.Query()
		refused := func(err error, code apperr.Code, field string) {
			t.Helper()
			e, ok := errors.AsType[*apperr.Error](err)
			if !ok || e.Code != code {
				t.Fatalf("refused with %v, want %s", err, code)
			}
			if field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != field) {
				t.Fatalf("refused %s naming %+v", field, e.Fields)
			}
		}
		if page, err := PageOf(r); err != nil {
			refused(err, apperr.InvalidRequest, "limit")
		} else if page.Limit < 1 || page.Limit > 200 || page.Cursor != q.Get("cursor") {
			t.Fatalf("page %+v from %q", page, query)
		}
		if err := Query(r, "kind", "district", "from", "to"); err != nil {
			e, _ := errors.AsType[*apperr.Error](err)
			refused(err, apperr.InvalidRequest, "")
			if _, given := q[e.Fields[0].Field]; !given || known(e.Fields[0].Field) {
				t.Fatalf("refused parameter %q of %q", e.Fields[0].Field, query)
			}
		} else if _, err := ListQuery(r, "kind", "district", "from", "to"); err != nil {
			refused(err, apperr.InvalidRequest, "limit")
		}
		if k, err := KindParam(r); err != nil {
			refused(err, apperr.InvalidRequest, "kind")
		} else if k != "" && !k.Valid() {
			t.Fatalf("kind %q", k)
		}
		if d, err := DistrictParam(r); err != nil {
			refused(err, apperr.InvalidRequest, "district")
		} else if d != "" && !d.Valid() {
			t.Fatalf("district %q", d)
		}
		if d, err := DateParam(r, "from", "2025-01-01"); err != nil {
			refused(err, apperr.InvalidRequest, "from")
		} else if _, err := time.Parse(time.DateOnly, d); err != nil {
			t.Fatalf("date %q: %v", d, err)
		}
		if got, err := PathID(r, "id"); err != nil {
			refused(err, apperr.NotFound, "")
		} else if got != id || url.PathEscape(got) != got || len(got) > 64 || strings.ContainsAny(got, ".~") {
			t.Fatalf("path id %q accepted", got)
		}
	})
}

func known(param string) bool {
	switch param {
	case "limit", "cursor", "kind", "district", "from", "to":
		return true
	}
	return false
}
