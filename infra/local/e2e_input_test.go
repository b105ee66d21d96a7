package local_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

// Bad input over HTTP (issue 9, item 4): what the API refuses, and that a
// refusal writes nothing.

// stackNow is the stack's own time, read from what it stamps on a new
// participant, so date checks hold whatever clock the stack runs on.
func stackNow(e *env, token string) time.Time {
	e.t.Helper()
	r := e.do("GET", "/v1/me/participants?limit=200", token, nil)
	e.expect(r, 200, "")
	items, _ := r.json["items"].([]any)
	if len(items) == 0 {
		e.t.Fatalf("no participant to read the time from: %s", r.body)
	}
	at, err := time.Parse(time.RFC3339Nano, items[len(items)-1].(map[string]any)["created_at"].(string))
	if err != nil {
		e.t.Fatal(err)
	}
	return at.In(domain.CityZone)
}

// problemFields are the fields a problem's errors[] names.
func problemFields(r reply) []string {
	var out []string
	errs, _ := r.json["errors"].([]any)
	for _, fe := range errs {
		out = append(out, fe.(map[string]any)["field"].(string))
	}
	return out
}

// auditCount is how many audit records the centre has.
func auditCount(e *env, token string) int {
	e.t.Helper()
	r := e.do("GET", "/v1/centres/"+e.centre.ID+"/audit?limit=200", token, nil)
	e.expect(r, 200, "")
	return len(r.json["items"].([]any))
}

// TestAttendanceNotAhead: a session after today (the stack's today, in
// Wuxi) cannot be recorded, so no absence ahead of time blocks anyone's
// next term; today's session can.
func TestAttendanceNotAhead(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	tok, p, _ := e.resident("a")
	now := stackNow(e, tok)
	day := func(n int) string { return now.AddDate(0, 0, n).Format(domain.DateLayout) }
	rule := domain.NoShowRules[domain.EveningCourse]
	e.offering("o", 5, func(o *domain.Offering) {
		o.StartsOn, o.EndsOn = day(-7), day(30)
		o.Term = domain.TermOf(now.AddDate(0, 0, -7))
		o.Schedule.Sessions = []string{day(-7), day(0), day(1), day(7)}
		o.NoShowRule = &rule
	})
	b := e.book(tok, "o", p, false)
	e.expect(b, 201, "")
	put := func(date string) reply {
		return e.do("PUT", "/v1/offerings/o/attendance/"+date, staff,
			map[string]any{"records": []map[string]string{{"booking_id": b.str("id"), "status": "absent"}}}, "Accept-Language", "en")
	}
	audits := auditCount(e, staff)
	for _, date := range []string{day(1), day(7)} {
		r := put(date)
		e.expect(r, 422, "validation_failed")
		if f := problemFields(r); len(f) != 1 || f[0] != "date" || !strings.Contains(string(r.body), "after today") {
			t.Fatalf("%s: %s", date, r.body)
		}
	}
	days := e.do("GET", "/v1/offerings/o/attendance", staff, nil)
	e.expect(days, 200, "")
	if n := len(days.json["items"].([]any)); n != 0 || auditCount(e, staff) != audits {
		t.Fatalf("a refused day was written: %s", days.body)
	}
	e.expect(put(day(0)), 200, "")
	e.expect(put(day(-7)), 200, "")
	days = e.do("GET", "/v1/offerings/o/attendance", staff, nil)
	e.expect(days, 200, "")
	if n := len(days.json["items"].([]any)); n != 2 {
		t.Fatalf("today's and last week's sessions: %s", days.body)
	}
}

// goTypes are what encoding/json's own messages would show a client.
var goTypes = regexp.MustCompile(`struct ?\{|interface ?\{|\[\]|map\[|\*|\b(u?int(8|16|32|64)?|float(32|64))\b|time\.Time|domain\.|centrestaff\.|residents\.|httpapi\.`)

// TestBodiesOfTheWrongShape: every route that takes a body refuses null
// and anything else that is not an object, and names a field of the wrong
// type by its path, in JSON's terms, in both languages; never a Go type.
func TestBodiesOfTheWrongShape(t *testing.T) {
	e := start(t)
	e.offering("o", 5)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	tok, p, _ := e.resident("a")
	b := e.book(tok, "o", p, false)
	e.expect(b, 201, "")
	routes := []struct {
		method, path, token string
		field               string // a field to give the wrong type
		wrong               any
		path2               string // the field as errors[] names it
		want                string // and its English message
	}{
		{"POST", "/v1/me/participants", tok, "name", []string{"王"}, "name", "must be a string"},
		{"POST", "/v1/offerings/o/bookings", tok, "participant_id", map[string]any{"id": p}, "participant_id", "must be a string"},
		{"POST", "/v1/me/bookings/" + b.str("id") + "/cancel", tok, "", nil, "", ""},
		{"POST", "/v1/centres/" + e.centre.ID + "/offerings", staff, "schedule", map[string]any{"text": "x", "sessions": []any{"2030-01-01", 20300108}}, "schedule.sessions[1]", "must be a string"},
		{"PATCH", "/v1/offerings/o", staff, "capacity", "20", "capacity", "must be an integer"},
		{"POST", "/v1/offerings/o/cancel", staff, "reason", 5, "reason", "must be a string"},
		{"PUT", "/v1/offerings/o/attendance/2025-09-01", staff, "records", []any{map[string]any{"booking_id": b.str("id"), "status": 1}}, "records[0].status", "must be a string"},
		{"PUT", "/v1/offerings/o/attendance/2025-09-01", staff, "records", map[string]any{"booking_id": b.str("id")}, "records", "must be an array of objects"},
	}
	audits := auditCount(e, staff)
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			for _, body := range []string{"null", " null ", "[]", `[{}]`, `"x"`, "5", "true"} {
				r := e.do(rt.method, rt.path, rt.token, body, "Accept-Language", "en")
				e.expect(r, 400, "invalid_request")
				if !strings.Contains(r.str("detail"), "JSON object") {
					t.Errorf("%s: %s", body, r.body)
				}
			}
			if rt.field == "" {
				return
			}
			for _, lang := range []string{"zh-CN", "en"} {
				r := e.do(rt.method, rt.path, rt.token, map[string]any{rt.field: rt.wrong}, "Accept-Language", lang)
				e.expect(r, 400, "invalid_request")
				if f := problemFields(r); len(f) != 1 || f[0] != rt.path2 {
					t.Errorf("%s: fields %v, want %s: %s", lang, f, rt.path2, r.body)
				}
				if m := goTypes.FindString(string(r.body)); m != "" {
					t.Errorf("%s: a Go type (%q) in %s", lang, m, r.body)
				}
				if msg := r.json["errors"].([]any)[0].(map[string]any)["message"]; lang == "en" && msg != rt.want {
					t.Errorf("message %q, want %q", msg, rt.want)
				}
			}
		})
	}
	// Nothing was written: no audit record, the booking still stands.
	if n := auditCount(e, staff); n != audits {
		t.Fatalf("%d audit records after refused bodies, were %d", n, audits)
	}
	got := e.do("GET", "/v1/me/bookings/"+b.str("id"), tok, nil)
	e.expect(got, 200, "")
	if got.str("status") != "confirmed" {
		t.Fatalf("%s", got.body)
	}
}

// TestPatchThatChangesNothingOverHTTP: PATCH null is 400 and writes
// nothing; a PATCH that changes nothing answers the offering as it is and
// writes no audit record (nor ledger entry); a real change writes one.
func TestPatchThatChangesNothingOverHTTP(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	officer := e.officerToken()
	created := e.do("POST", "/v1/centres/"+e.centre.ID+"/offerings", staff, e.newOfferingBody("published"))
	e.expect(created, 201, "")
	id := created.str("id")
	ledger := func() int {
		r := e.do("GET", "/v1/city/capacity/changes?limit=200", officer, nil)
		e.expect(r, 200, "")
		return len(r.json["items"].([]any))
	}
	audits, changes := auditCount(e, staff), ledger()
	if audits != 1 || changes != 1 {
		t.Fatalf("after creating: %d audit records, %d changes", audits, changes)
	}
	e.expect(e.do("PATCH", "/v1/offerings/"+id, staff, "null"), 400, "invalid_request")
	for _, body := range []any{"{}", map[string]any{"title": created.str("title")}, map[string]any{"status": "published", "capacity": 20}} {
		r := e.do("PATCH", "/v1/offerings/"+id, staff, body)
		e.expect(r, 200, "")
		if r.str("id") != id || r.num("capacity") != 20 || r.str("title") != created.str("title") {
			t.Fatalf("%v: %s", body, r.body)
		}
	}
	if a, c := auditCount(e, staff), ledger(); a != audits || c != changes {
		t.Fatalf("edits of nothing wrote %d audit records and %d changes", a-audits, c-changes)
	}
	e.expect(e.do("PATCH", "/v1/offerings/"+id, staff, map[string]any{"capacity": 21}), 200, "")
	if a, c := auditCount(e, staff), ledger(); a != audits+1 || c != changes+1 {
		t.Fatalf("a real edit wrote %d audit records and %d changes", a-audits, c-changes)
	}
}

// TestTextThatIsNeverStored: names, titles, descriptions and reasons with
// control characters, line breaks where one line is wanted, bidirectional
// overrides or nothing visible are 422 naming the field, and nothing is
// stored.
func TestTextThatIsNeverStored(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	e.offering("o", 5)
	tok, _, _ := e.resident("a")
	base := "/v1/centres/" + e.centre.ID + "/offerings"
	offering := func(field string, v any) map[string]any {
		b := e.newOfferingBody("published")
		if field == "schedule.text" {
			b["schedule"].(map[string]any)["text"] = v
		} else {
			b[field] = v
		}
		return b
	}
	birth := time.Date(1990, 3, 4, 0, 0, 0, 0, domain.CityZone)
	person := func(name string) map[string]any {
		return map[string]any{"name": name, "birth_date": "1990-03-04", "id_number": idnumber.Make("320211", birth, 501)}
	}
	cases := []struct {
		name, method, path, token string
		body                      any
		field                     string
	}{
		{"title with CR/LF", "POST", base, staff, offering("title", "摄影\r\n入门"), "title"},
		{"title with a NUL", "POST", base, staff, offering("title", "摄影\x00"), "title"},
		{"title with an override", "POST", base, staff, offering("title", "\u202e门入影摄"), "title"},
		{"title of zero-width characters", "POST", base, staff, offering("title", "\u200b\u200c\u2060\ufeff"), "title"},
		{"description with an escape", "POST", base, staff, offering("description", "简介\x1b[2J"), "description"},
		{"schedule text on two lines", "POST", base, staff, offering("schedule.text", "周一\n19:00"), "schedule.text"},
		{"patched title with an isolate", "PATCH", "/v1/offerings/o", staff, map[string]any{"title": "新\u2067标题"}, "title"},
		{"patched title of spaces", "PATCH", "/v1/offerings/o", staff, map[string]any{"title": " \u3000 "}, "title"},
		{"patched description with C1", "PATCH", "/v1/offerings/o", staff, map[string]any{"description": "简\u0090介\u0085"}, "description"},
		{"participant name on two lines", "POST", "/v1/me/participants", tok, person("王小明\n王小红"), "name"},
		{"participant name of zero-width", "POST", "/v1/me/participants", tok, person("\u200b\u200d"), "name"},
		{"participant name with DEL", "POST", "/v1/me/participants", tok, person("王\x7f"), "name"},
		{"cancel reason with a NUL", "POST", "/v1/offerings/o/cancel", staff, map[string]any{"reason": "停课\x00"}, "reason"},
		{"cancel reason of spaces", "POST", "/v1/offerings/o/cancel", staff, map[string]any{"reason": " \u00a0\u3000"}, "reason"},
	}
	audits := auditCount(e, staff)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, c.token, c.body)
			e.expect(r, 422, "validation_failed")
			if f := problemFields(r); len(f) != 1 || f[0] != c.field {
				t.Fatalf("fields %v, want %s: %s", f, c.field, r.body)
			}
		})
	}
	if n := auditCount(e, staff); n != audits {
		t.Fatalf("refused text wrote %d audit records", n-audits)
	}
	list := e.do("GET", base, staff, nil)
	e.expect(list, 200, "")
	if n := len(list.json["items"].([]any)); n != 1 {
		t.Fatalf("%d offerings, want only the one there was: %s", n, list.body)
	}
	o := e.do("GET", "/v1/offerings/o", "", nil)
	e.expect(o, 200, "")
	if o.str("status") != "published" || o.str("title") != "锡青夜校 · 测试课程 o" {
		t.Fatalf("the offering changed: %s", o.body)
	}
	ps := e.do("GET", "/v1/me/participants", tok, nil)
	e.expect(ps, 200, "")
	if n := len(ps.json["items"].([]any)); n != 1 {
		t.Fatalf("%d participants, want only the first: %s", n, ps.body)
	}
	// What is kept is trimmed.
	ok := e.do("POST", base, staff, offering("title", "\u200b 茶艺入门\u3000"))
	e.expect(ok, 201, "")
	if ok.str("title") != "茶艺入门" {
		t.Fatalf("title %q", ok.str("title"))
	}
}

// TestRosterForExcel: the roster's downloads keep an ID tail 0029 as 0029
// in Excel (="0029" in CSV, a Text cell in XLSX), say ages as people do,
// never months for an adult, and carry no control byte even from names
// stored before the text rules; the JSON adds participant.age beside
// age_months.
func TestRosterForExcel(t *testing.T) {
	e := start(t)
	e.offering("o", 5)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	tok := e.token("acc-excel", "residents")
	// An ID number whose last four are digits with leading zeros.
	birth := time.Date(1990, 3, 4, 0, 0, 0, 0, domain.CityZone)
	var id string
	for seq := 1; seq < 100; seq++ {
		if id = idnumber.Make("320211", birth, seq); id[17] != 'X' {
			break
		}
	}
	last4 := id[14:]
	r := e.do("POST", "/v1/me/participants", tok, map[string]any{"name": "王小明", "birth_date": "1990-03-04", "id_number": id})
	e.expect(r, 201, "")
	e.expect(e.book(tok, "o", r.str("id"), false), 201, "")
	// A name stored before today's rules, straight into the table.
	now := stackNow(e, tok)
	old := domain.Participant{ID: "pt_old", Name: "赵\r\n大\x00伟\u202e", BirthDate: "2024-01-02", IDNumberLast4: "0007",
		CreatedAt: now, Account: "acc-excel", Identity: "old-identity"}
	if err := e.st.Store.CreateParticipant(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	e.offering("kids", 5, func(o *domain.Offering) { o.Kind, o.MinAgeMonths, o.MaxAgeMonths = domain.Childcare, 0, 36 })
	e.expect(e.book(tok, "kids", "pt_old", false), 201, "")

	adultAge := -1
	for _, lang := range []string{"zh-CN", "en"} {
		js := e.do("GET", "/v1/offerings/o/roster", staff, nil, "Accept-Language", lang)
		e.expect(js, 200, "")
		starts, err := domain.ParseDate(js.json["offering"].(map[string]any)["starts_on"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if adultAge = domain.AgeInMonths(birth, starts); adultAge < 18*12 {
			t.Fatalf("an adult of %d months", adultAge)
		}
		p := js.json["items"].([]any)[0].(map[string]any)["participant"].(map[string]any)
		if p["id_number_last4"] != last4 || p["age_months"] != float64(adultAge) || p["age"] != domain.AgeText(adultAge, lang != "en") {
			t.Fatalf("%s: %v", lang, p)
		}
	}

	csvReply := e.do("GET", "/v1/offerings/o/roster?format=csv", staff, nil)
	e.expect(csvReply, 200, "")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvReply.body, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%q %v", recs, err)
	}
	if recs[0][2] != "身份证后四位 (ID last 4)" || recs[0][3] != "年龄 (Age)" || strings.Contains(strings.Join(recs[0], ","), "月龄") {
		t.Fatalf("header %q", recs[0])
	}
	if recs[1][2] != `="`+last4+`"` || recs[1][3] != domain.AgeText(adultAge, true) || !strings.Contains(recs[1][3], "岁") {
		t.Fatalf("row %q, want the ID tail %s as text and the age in years", recs[1], last4)
	}

	kids := e.do("GET", "/v1/offerings/kids/roster?format=csv", staff, nil)
	e.expect(kids, 200, "")
	body := strings.TrimSuffix(string(kids.body), "\r\n")
	for i, line := range strings.Split(body, "\r\n") {
		if j := strings.IndexFunc(line, func(c rune) bool {
			return c < 0x20 || c >= 0x7f && c <= 0x9f || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069
		}); j >= 0 {
			t.Fatalf("line %d of the CSV holds a control character: %q", i, line)
		}
	}
	if !strings.Contains(body, "赵  大伟") || !strings.Contains(body, `"=""0007"""`) {
		t.Fatalf("csv %q", body)
	}

	x := e.do("GET", "/v1/offerings/o/roster?format=xlsx", staff, nil)
	e.expect(x, 200, "")
	book, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := book.GetCellValue("花名册", "C3"); v != last4 {
		t.Fatalf("C3 = %q, want %s", v, last4)
	}
	if typ, _ := book.GetCellType("花名册", "C3"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Fatalf("C3 is no text cell: %v", typ)
	}
	style, err := book.GetCellStyle("花名册", "C3")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := book.GetStyle(style); err != nil || st.NumFmt != 49 {
		t.Fatalf("C3's number format %v %v, want 49 (Text)", st, err)
	}
}

// TestForgedCursors: on every list route, a cursor that is not the one the
// list gave (its sort key left out, attributes added, or another list's) is
// 400 invalid_request naming cursor, never a 500 or another list's items.
func TestForgedCursors(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	if err := e.st.Store.PutCentre(ctx, dbtest.Centre("c-xishan-1", "xishan"), false); err != nil {
		t.Fatal(err)
	}
	e.offering("o1", 5)
	e.offering("o2", 5)
	e.offering("k1", 5, func(o *domain.Offering) { o.Kind, o.MinAgeMonths, o.MaxAgeMonths = domain.Childcare, 0, 36 })
	e.offering("k2", 5, func(o *domain.Offering) { o.Kind, o.MinAgeMonths, o.MaxAgeMonths = domain.Childcare, 0, 36 })
	tok, p, _ := e.resident("a")
	birth := time.Date(1991, 5, 6, 0, 0, 0, 0, domain.CityZone)
	second := e.do("POST", "/v1/me/participants", tok, map[string]any{"name": "王小红", "birth_date": "1991-05-06", "id_number": idnumber.Make("320211", birth, 7)})
	e.expect(second, 201, "")
	e.expect(e.book(tok, "o1", p, false), 201, "")
	e.expect(e.book(tok, "o2", second.str("id"), false), 201, "")
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	officer := e.officerToken()
	e.createOffering(e.centre.ID, 10)
	e.createOffering(e.centre.ID, 12)

	// other is a list whose cursor is not one of this list's: another
	// partition, or the same partition's other items (an account's bookings
	// and participants), or another kind of the catalogue.
	routes := []struct {
		name, path, token string
		other             int
	}{
		{"centres", "/v1/centres?limit=1", "", 1},
		{"catalogue", "/v1/offerings?limit=1", "", 0},
		{"catalogue by kind", "/v1/offerings?kind=evening_course&limit=1", "", 1},
		{"participants", "/v1/me/participants?limit=1", tok, 4},
		{"bookings", "/v1/me/bookings?limit=1", tok, 3},
		{"centre's offerings", "/v1/centres/" + e.centre.ID + "/offerings?limit=1", staff, 6},
		{"audit", "/v1/centres/" + e.centre.ID + "/audit?limit=1", staff, 5},
		{"changes", "/v1/city/capacity/changes?limit=1", officer, 6},
	}
	type key = map[string]string
	cursors := make([]key, len(routes))
	raw := make([]string, len(routes))
	for i, rt := range routes {
		r := e.do("GET", rt.path, rt.token, nil)
		e.expect(r, 200, "")
		raw[i] = r.str("next_cursor")
		if raw[i] == "" {
			t.Fatalf("%s: no second page to forge a cursor from: %s", rt.name, r.body)
		}
		b, err := base64.RawURLEncoding.DecodeString(raw[i])
		if err != nil || json.Unmarshal(b, &cursors[i]) != nil {
			t.Fatalf("%s: cursor %q %v", rt.name, raw[i], err)
		}
		// The real one works.
		e.expect(e.do("GET", rt.path+"&cursor="+url.QueryEscape(raw[i]), rt.token, nil), 200, "")
	}
	enc := func(k key) string {
		b, _ := json.Marshal(k)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	without := func(k key, attrs ...string) key {
		out := key{}
		for a, v := range k {
			out[a] = v
		}
		for _, a := range attrs {
			delete(out, a)
		}
		return out
	}
	for i, rt := range routes {
		sk := "SK"
		for a := range cursors[i] {
			if strings.HasPrefix(a, "GSI") && strings.HasSuffix(a, "SK") {
				sk = a // on an index, its own sort key
			}
		}
		extra := without(cursors[i])
		extra["note"] = "x"
		forged := map[string]string{
			"without the table's sort key": enc(without(cursors[i], "SK")),
			"without its sort key":         enc(without(cursors[i], sk)),
			"with an attribute added":      enc(extra),
			"from another list":            raw[rt.other],
		}
		for what, c := range forged {
			t.Run(rt.name+"/"+what, func(t *testing.T) {
				r := e.do("GET", rt.path+"&cursor="+url.QueryEscape(c), rt.token, nil)
				e.expect(r, 400, "invalid_request")
				if f := problemFields(r); len(f) != 1 || f[0] != "cursor" {
					t.Fatalf("fields %v: %s", f, r.body)
				}
			})
		}
	}
}
