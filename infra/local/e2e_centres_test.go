package local_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// newOfferingBody is a valid evening course for POST /v1/centres/{id}/offerings,
// a month ahead on the stack's clock.
func (e *env) newOfferingBody(status string) map[string]any {
	start := e.st.Now().AddDate(0, 1, 0)
	d := func(t time.Time) string { return t.In(domain.CityZone).Format(domain.DateLayout) }
	return map[string]any{
		"kind": "evening_course", "title": "锡青夜校 · 摄影入门", "description": "每周一次",
		"starts_on": d(start), "ends_on": d(start.AddDate(0, 0, 14)),
		"schedule": map[string]any{"text": "每周一 19:00", "sessions": []string{d(start), d(start.AddDate(0, 0, 7)), d(start.AddDate(0, 0, 14))}},
		"capacity": 20, "status": status,
	}
}

func (e *env) tokenFor(sub string, groups []string, centres ...string) string {
	e.t.Helper()
	tok, err := e.st.Token(sub, groups, centres...)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func TestOfferingLifecycle(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	base := "/v1/centres/" + e.centre.ID + "/offerings"

	t.Run("validation", func(t *testing.T) {
		bad := []struct {
			name   string
			edit   func(m map[string]any)
			status int
			code   string
		}{
			{"unknown kind", func(m map[string]any) { m["kind"] = "yoga" }, 422, "validation_failed"},
			{"no title", func(m map[string]any) { m["title"] = "" }, 422, "validation_failed"},
			{"ends before it starts", func(m map[string]any) { m["ends_on"] = "2020-01-01" }, 422, "validation_failed"},
			{"capacity 0", func(m map[string]any) { m["capacity"] = 0 }, 422, "validation_failed"},
			{"capacity too big", func(m map[string]any) { m["capacity"] = 10001 }, 422, "validation_failed"},
			{"children in an evening course", func(m map[string]any) { m["min_age_months"], m["max_age_months"] = 0, 36 }, 422, "validation_failed"},
			{"window after start", func(m map[string]any) { m["booking_closes_at"] = "2999-01-01T00:00:00+08:00" }, 422, "validation_failed"},
			{"session outside the dates", func(m map[string]any) {
				m["schedule"] = map[string]any{"text": "x", "sessions": []string{"2020-01-01"}}
			}, 422, "validation_failed"},
			{"no sessions for a course", func(m map[string]any) { m["schedule"] = map[string]any{"text": "x"} }, 422, "validation_failed"},
			{"cancelled at birth", func(m map[string]any) { m["status"] = "cancelled" }, 422, "validation_failed"},
			{"unknown field", func(m map[string]any) { m["colour"] = "red" }, 400, "invalid_request"},
			{"wrong type", func(m map[string]any) { m["capacity"] = "20" }, 400, "invalid_request"},
		}
		for _, c := range bad {
			body := e.newOfferingBody("draft")
			c.edit(body)
			r := e.do("POST", base, staff, body)
			e.expect(r, c.status, c.code)
		}
		r := e.do("GET", base, staff, nil)
		e.expect(r, 200, "")
		if n := len(r.json["items"].([]any)); n != 0 {
			t.Fatalf("a refused offering was stored: %s", r.body)
		}
	})

	created := e.do("POST", base, staff, e.newOfferingBody("draft"))
	e.expect(created, 201, "")
	id := created.str("id")
	rule, _ := created.json["no_show_rule"].(map[string]any)
	if created.str("status") != "draft" || created.num("max_per_participant_per_term") != 2 || rule["max_unexcused_absences"] != 2.0 {
		t.Fatalf("defaults: %s", created.body)
	}
	e.expect(e.do("GET", "/v1/offerings/"+id, "", nil), 404, "not_found")

	patch := func(body any) reply { return e.do("PATCH", "/v1/offerings/"+id, staff, body) }
	e.expect(patch(map[string]any{"status": "published", "capacity": 2}), 200, "")
	if r := e.do("GET", "/v1/offerings?kind=evening_course", "", nil); r.status != 200 || !strings.Contains(string(r.body), id) {
		all, _, err := e.st.Store.ListPublished(context.Background(), store.OfferingFilter{}, paging.Page{Limit: 50})
		t.Fatalf("a published offering is not in the catalogue: %s / %v %v", r.body, all, err)
	}
	var toks, bookings []string
	for i := range 4 {
		tok, p, _ := e.resident(fmt.Sprintf("r%d", i))
		b := e.book(tok, id, p, true)
		e.expect(b, 201, "")
		toks, bookings = append(toks, tok), append(bookings, b.str("id"))
	}
	if c, w := e.counters(id); c != 2 || w != 2 {
		t.Fatalf("counters %d/%d", c, w)
	}
	e.expect(patch(map[string]any{"capacity": 1}), 409, "capacity_below_confirmed")
	e.expect(patch(map[string]any{"status": "draft"}), 422, "validation_failed")
	e.expect(patch(map[string]any{"seats": 3}), 400, "invalid_request")

	// Closing stops bookings; re-opening allows them.
	e.expect(patch(map[string]any{"status": "closed"}), 200, "")
	lateTok, lateP, _ := e.resident("late")
	e.expect(e.book(lateTok, id, lateP, true), 409, "booking_closed")
	// An absence means something only in a list that was answered.
	if r := e.do("GET", "/v1/offerings?kind=evening_course", "", nil); r.status != 200 || strings.Contains(string(r.body), id) {
		t.Fatalf("a closed offering is still in the public catalogue, or no catalogue: %d %s", r.status, r.body)
	}
	e.expect(patch(map[string]any{"status": "published"}), 200, "")

	// Raising the capacity confirms the line in the same write.
	before := len(strings.Split(strings.TrimSpace(e.logs.String()), "\n"))
	up := patch(map[string]any{"capacity": 3})
	e.expect(up, 200, "")
	if up.num("confirmed") != 3 || up.num("waitlisted") != 1 || up.num("available") != 0 {
		t.Fatalf("after raising: %s", up.body)
	}
	_ = before
	first := e.do("GET", "/v1/me/bookings/"+bookings[2], toks[2], nil)
	last := e.do("GET", "/v1/me/bookings/"+bookings[3], toks[3], nil)
	e.expect(first, 200, "")
	e.expect(last, 200, "")
	if first.str("status") != "confirmed" || last.num("waitlist_position") != 1 {
		t.Fatalf("promotion: %s / %s", first.body, last.body)
	}
	calls, _ := e.requestsOf("PATCH /v1/offerings/{offering_id}")
	t.Logf("capacity changes and edits, DynamoDB calls in all: %v", calls)

	// Cancelling ends every booking, each marked as the centre's, with the reason.
	e.expect(e.do("POST", "/v1/offerings/"+id+"/cancel", staff, map[string]any{}), 422, "validation_failed")
	c := e.do("POST", "/v1/offerings/"+id+"/cancel", staff, map[string]any{"reason": "讲师因病停课"})
	e.expect(c, 200, "")
	if c.str("status") != "cancelled" || c.str("cancel_reason") != "讲师因病停课" || c.num("confirmed") != 0 || c.num("waitlisted") != 0 {
		t.Fatalf("cancelled: %s", c.body)
	}
	for i, tok := range toks {
		b := e.do("GET", "/v1/me/bookings/"+bookings[i], tok, nil)
		e.expect(b, 200, "")
		if b.str("status") != "cancelled" || b.str("cancelled_by") != "centre" || b.str("cancel_reason") != "讲师因病停课" {
			t.Fatalf("booking %d: %s", i, b.body)
		}
	}
	e.expect(e.do("POST", "/v1/offerings/"+id+"/cancel", staff, map[string]any{"reason": "again"}), 200, "")
	e.expect(patch(map[string]any{"title": "复活"}), 409, "conflict")
	e.expect(e.book(lateTok, id, lateP, true), 409, "booking_closed")

	audit := e.do("GET", "/v1/centres/"+e.centre.ID+"/audit", staff, nil)
	e.expect(audit, 200, "")
	var actions []string
	for _, it := range audit.json["items"].([]any) {
		m := it.(map[string]any)
		if m["actor"] != "staff-1" || m["at"] == "" {
			t.Fatalf("audit entry %v", m)
		}
		actions = append(actions, m["action"].(string))
	}
	if strings.Join(actions, ",") != "offering.cancel,offering.update,offering.update,offering.update,offering.update,offering.create" {
		t.Fatalf("audit actions (newest first): %v", actions)
	}
}

// TestCancelInBatches: more bookings than one write ends, and a
// cancellation interrupted after marking the offering resumes.
func TestCancelInBatches(t *testing.T) {
	var inj faults.Injector
	e := start(t, withFaults(&inj))
	e.offering("big", 30)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	var ids []string
	for i := range 45 {
		tok, p, _ := e.resident(fmt.Sprintf("b%02d", i))
		r := e.book(tok, "big", p, true)
		e.expect(r, 201, "")
		ids = append(ids, r.str("id"))
	}
	// The bookings' notices, put from the table's stream, all in first: the
	// fault schedule below counts writes, and a slower emulator (moto) was
	// still putting them.
	e.bookingNotices(ids...)
	// Interrupted by the fault schedule: the offering marked cancelled and
	// the first batch ended, the answer to that batch's write lost (as at
	// the function's deadline): 503, safe to send again.
	inj.Clear()
	inj.At(1, faults.Cut, faults.Writes...)
	cut := e.do("POST", "/v1/offerings/big/cancel", staff, map[string]any{"reason": "暴雨停课"})
	e.expect(cut, 503, "unavailable")
	if cut.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	if c, w := e.counters("big"); c+w != 45-store.MaxCancelsPerWrite {
		t.Fatalf("before resuming %d/%d, want one batch of %d ended", c, w, store.MaxCancelsPerWrite)
	}
	inj.Clear()
	r := e.do("POST", "/v1/offerings/big/cancel", staff, map[string]any{"reason": "暴雨停课"})
	e.expect(r, 200, "")
	if r.num("confirmed") != 0 || r.num("waitlisted") != 0 {
		t.Fatalf("%s", r.body)
	}
	page, _, err := e.st.Store.RosterPage(context.Background(), "big", paging.Page{Limit: 200})
	if err != nil || len(page) != 45 {
		t.Fatalf("%d bookings, %v", len(page), err)
	}
	for _, b := range page {
		if b.Status != domain.BookingCancelled || b.CancelledBy != "centre" || b.CancelReason != "暴雨停课" {
			t.Fatalf("%+v", b)
		}
	}
	calls, _ := e.requestsOf("POST /v1/offerings/{offering_id}/cancel")
	t.Logf("cancelling an offering with 45 bookings, DynamoDB calls: %v", calls)
}

func TestRosterAndExports(t *testing.T) {
	e := start(t)
	e.offering("o", 2)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	names := map[string]bool{}
	for i := range 3 {
		tok, p, _ := e.resident(fmt.Sprintf("r%d", i))
		e.expect(e.book(tok, "o", p, true), 201, "")
		names[fmt.Sprintf("测试居民%d", e.seq)] = true
	}
	r := e.do("GET", "/v1/offerings/o/roster", staff, nil)
	e.expect(r, 200, "")
	items := r.json["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("%s", r.body)
	}
	for i, it := range items {
		m := it.(map[string]any)
		p := m["participant"].(map[string]any)
		want, pos := "confirmed", 0.0
		if i == 2 {
			want, pos = "waitlisted", 1.0
		}
		wp, _ := m["waitlist_position"].(float64)
		if m["status"] != want || wp != pos || p["id_number_last4"] == "" || p["age_months"].(float64) < 18*12 || !names[p["name"].(string)] {
			t.Fatalf("line %d: %v", i, m)
		}
	}
	calls, _ := e.requestsOf("GET /v1/offerings/{offering_id}/roster")
	t.Logf("roster, DynamoDB calls: %v", calls)

	csv := e.do("GET", "/v1/offerings/o/roster?format=csv", staff, nil)
	e.expect(csv, 200, "")
	if !bytes.HasPrefix(csv.body, []byte("\xEF\xBB\xBF")) || !strings.Contains(string(csv.body), "姓名") || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %q", csv.body[:min(80, len(csv.body))])
	}
	for n := range names {
		if !strings.Contains(string(csv.body), n) {
			t.Fatalf("csv lacks %s", n)
		}
	}
	x := e.do("GET", "/v1/offerings/o/roster?format=xlsx", staff, nil)
	e.expect(x, 200, "")
	if !strings.Contains(x.header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("disposition %q", x.header.Get("Content-Disposition"))
	}
	book, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	rows, err := book.GetRows("花名册")
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(rows)
	for n := range names {
		if !strings.Contains(text, n) {
			t.Fatalf("workbook lacks %s: %v", n, rows)
		}
	}
	if sheets := book.GetSheetList(); len(sheets) != 2 || sheets[1] != "出勤" {
		t.Fatalf("sheets %v", sheets)
	}
	e.expect(e.do("GET", "/v1/offerings/o/roster?format=pdf", staff, nil), 400, "invalid_request")
}

func TestAttendanceAndNoShows(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	// Last term's course (2025-autumn, sessions 2025-09-01 and -08) and this term's.
	rule := domain.NoShowRules[domain.EveningCourse]
	e.offering("autumn", 2, func(o *domain.Offering) { o.NoShowRule = &rule })
	e.offering("spring", 10, func(o *domain.Offering) {
		o.Term, o.StartsOn, o.EndsOn = "2026-spring", "2026-03-02", "2026-06-30"
		o.Schedule.Sessions = []string{"2026-03-02"}
	})
	aTok, aP, _ := e.resident("a")
	bTok, bP, _ := e.resident("b")
	cTok, cP, _ := e.resident("c")
	a := e.book(aTok, "autumn", aP, true)
	b := e.book(bTok, "autumn", bP, true)
	c := e.book(cTok, "autumn", cP, true) // waitlisted
	put := func(date string, recs ...string) reply {
		var records []map[string]string
		for i := 0; i+1 < len(recs); i += 2 {
			records = append(records, map[string]string{"booking_id": recs[i], "status": recs[i+1]})
		}
		return e.do("PUT", "/v1/offerings/autumn/attendance/"+date, staff, map[string]any{"records": records})
	}
	bad := []struct {
		name string
		r    func() reply
	}{
		{"not a session", func() reply { return put("2025-09-02", a.str("id"), "present") }},
		{"waitlisted booking", func() reply { return put("2025-09-01", c.str("id"), "present") }},
		{"unknown booking", func() reply { return put("2025-09-01", "bk_nope", "present") }},
		{"unknown status", func() reply { return put("2025-09-01", a.str("id"), "late") }},
		{"twice", func() reply { return put("2025-09-01", a.str("id"), "present", a.str("id"), "absent") }},
		{"empty", func() reply { return put("2025-09-01") }},
	}
	for _, x := range bad {
		t.Run(x.name, func(t *testing.T) { e.expect(x.r(), 422, "validation_failed") })
	}
	e.expect(e.do("PUT", "/v1/offerings/autumn/attendance/yesterday", staff, map[string]any{"records": []any{}}), 422, "validation_failed")

	// a misses both sessions unexcused; b misses one excused, one unexcused.
	e.expect(put("2025-09-01", a.str("id"), "absent", b.str("id"), "excused"), 200, "")
	e.expect(put("2025-09-08", a.str("id"), "absent", b.str("id"), "absent"), 200, "")
	e.expect(put("2025-09-08", a.str("id"), "absent", b.str("id"), "absent"), 200, "") // a retry changes nothing
	days := e.do("GET", "/v1/offerings/autumn/attendance", staff, nil)
	e.expect(days, 200, "")
	if n := len(days.json["items"].([]any)); n != 2 {
		t.Fatalf("%s", days.body)
	}
	blocked := e.book(aTok, "spring", aP, false)
	e.expect(blocked, 409, "no_show_blocked")
	if blocked.str("blocked_until") != "2026-06-30" {
		t.Fatalf("%s", blocked.body)
	}
	e.expect(e.book(bTok, "spring", bP, false), 201, "")
	e.toldOnce(aTok, "a", notices.NoShowBlocked) // recorded twice, told once
	// Correcting a day lifts the block.
	e.expect(put("2025-09-08", a.str("id"), "excused", b.str("id"), "absent"), 200, "")
	e.expect(e.book(aTok, "spring", aP, false), 201, "")
	_ = cTok

	roster := e.do("GET", "/v1/offerings/autumn/roster", staff, nil)
	e.expect(roster, 200, "")
	var found bool
	for _, it := range roster.json["items"].([]any) {
		m := it.(map[string]any)
		if m["booking_id"] == a.str("id") {
			found = true
			at := m["attendance"].(map[string]any)
			if at["absent"] != 1.0 || at["excused"] != 1.0 {
				t.Fatalf("a's attendance %v", at)
			}
		}
	}
	if !found {
		t.Fatalf("a's booking is not on the roster: %s", roster.body)
	}
}
