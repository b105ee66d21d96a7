package local_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestMessagesAndCalendarOverHTTP drives the resident's messages,
// channels, calendar and feed through the local gateway, every answer
// checked against the OpenAPI document.
func TestMessagesAndCalendarOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("cal-1", 5)
	tok, participant, _ := e.resident("cal-resident")

	t.Run("preferences", func(t *testing.T) {
		r := e.do("GET", "/v1/me/message-preferences", tok, nil)
		e.expect(r, 200, "")
		if got := fmt.Sprint(r.json["channels"]); got != "[sms]" {
			t.Fatalf("never chosen: %s, want [sms]", got)
		}
		e.expect(e.do("PUT", "/v1/me/message-preferences", tok, map[string]any{"channels": []string{"wechat", "email"}}), 200, "")
		for _, bad := range []any{[]string{}, []string{"fax"}, []string{"sms", "sms"}} {
			r := e.do("PUT", "/v1/me/message-preferences", tok, map[string]any{"channels": bad})
			e.expect(r, 422, "validation_failed")
		}
		e.expect(e.do("PUT", "/v1/me/message-preferences", tok, `{"channels":["sms"],"phone":"13800000000"}`), 400, "invalid_request")
		r = e.do("GET", "/v1/me/message-preferences", tok, nil)
		if got := fmt.Sprint(r.json["channels"]); got != "[wechat email]" {
			t.Fatalf("after the refusals: %s, want [wechat email]", got)
		}
	})

	t.Run("messages", func(t *testing.T) {
		r := e.do("GET", "/v1/me/messages", tok, nil)
		e.expect(r, 200, "")
		if items, _ := r.json["items"].([]any); items == nil || len(items) != 0 || r.json["next_cursor"] != nil {
			t.Fatalf("no messages yet: %s", r.body)
		}
		// The dispatcher writes these; here the store does.
		at := e.st.Now()
		for i, event := range []string{"promoted", "reminder", "offering_cancelled"} {
			if err := e.st.Store.PutMessage(context.Background(), "cal-resident", store.Message{ID: fmt.Sprintf("msg-e2e-%d", i), Event: event,
				Channel: "sms", Text: "中文 / English", SentAt: at.Add(time.Duration(i) * time.Minute), Status: "sent"}); err != nil {
				t.Fatal(err)
			}
		}
		var events []string
		path := "/v1/me/messages?limit=2"
		for range 3 {
			r := e.do("GET", path, tok, nil)
			e.expect(r, 200, "")
			for _, it := range r.json["items"].([]any) {
				events = append(events, it.(map[string]any)["event"].(string))
			}
			next := r.str("next_cursor")
			if next == "" {
				break
			}
			path = "/v1/me/messages?limit=2&cursor=" + url.QueryEscape(next)
		}
		if got := fmt.Sprint(events); got != "[offering_cancelled reminder promoted]" {
			t.Fatalf("messages %s, want newest first", got)
		}
	})

	b := e.book(tok, "cal-1", participant, false)
	e.expect(b, 201, "")
	booking := b.str("id")
	calendar := func(path, token string) map[string]string {
		t.Helper()
		r := e.do("GET", path, token, nil)
		e.expect(r, 200, "")
		if ct := r.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Fatalf("content type %q", ct)
		}
		cal, err := ics.ParseCalendar(strings.NewReader(string(r.body)))
		if err != nil {
			t.Fatalf("the calendar does not parse: %v\n%s", err, r.body)
		}
		out := map[string]string{}
		for _, ev := range cal.Events() {
			start := ev.GetProperty(ics.ComponentPropertyDtStart)
			out[ev.Id()] = fmt.Sprint(ev.GetProperty(ics.ComponentPropertyStatus).Value, " ", start.ICalParameters["TZID"], " ", start.Value)
		}
		return out
	}

	t.Run("calendar", func(t *testing.T) {
		want := fmt.Sprint(map[string]string{
			booking + "-20250901@enrol.wuxi": "CONFIRMED [Asia/Shanghai] 20250901T190000",
			booking + "-20250908@enrol.wuxi": "CONFIRMED [Asia/Shanghai] 20250908T190000",
		})
		if got := fmt.Sprint(calendar("/v1/me/calendar.ics", tok)); got != want {
			t.Fatalf("calendar %s, want %s", got, want)
		}
		if got := fmt.Sprint(calendar("/v1/me/calendar.ics?booking_id="+booking, tok)); got != want {
			t.Fatalf("the booking's calendar %s, want %s", got, want)
		}
		other := e.token("cal-other", "residents")
		e.expect(e.do("GET", "/v1/me/calendar.ics?booking_id="+booking, other, nil), 404, "not_found")
		e.expect(e.do("GET", "/v1/me/calendar.ics", "", nil), 401, "")
	})

	t.Run("feed", func(t *testing.T) {
		create := func() string {
			t.Helper()
			r := e.do("POST", "/v1/me/calendar-feed", tok, nil)
			e.expect(r, 201, "")
			u := r.str("url")
			if !strings.HasPrefix(u, e.st.URL+"/v1/calendar-feeds/") {
				t.Fatalf("feed url %q, want the stack's address", u)
			}
			return strings.TrimPrefix(u, e.st.URL)
		}
		feed := create()
		if got := calendar(feed, ""); len(got) != 2 {
			t.Fatalf("the feed without a token: %v", got)
		}
		// A cancelled booking's sessions stay, marked cancelled.
		e.expect(e.do("POST", "/v1/me/bookings/"+booking+"/cancel", tok, nil), 200, "")
		for uid, ev := range calendar(feed, "") {
			if !strings.HasPrefix(ev, "CANCELLED ") {
				t.Errorf("after cancelling, %s is %s", uid, ev)
			}
		}
		e.expect(e.do("DELETE", "/v1/me/calendar-feed", tok, nil), 204, "")
		e.expect(e.do("GET", feed, "", nil), 404, "not_found")
		e.expect(e.do("DELETE", "/v1/me/calendar-feed", tok, nil), 204, "")
		// Deleting the account revokes a feed too; the export showed it.
		feed = create()
		ex := e.do("GET", "/v1/me/export", tok, nil)
		e.expect(ex, 200, "")
		if ex.json["calendar_feed"] == nil || fmt.Sprint(ex.json["message_preferences"].(map[string]any)["channels"]) != "[wechat email]" {
			t.Fatalf("the export: %s", ex.body)
		}
		e.expect(e.do("DELETE", "/v1/me", tok, nil), 204, "")
		e.expect(e.do("GET", feed, "", nil), 404, "not_found")
	})
}
