package calendars_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the parser loads the events' TZID by name

	ics "github.com/arran4/golang-ical"
	"github.com/wuxi-enrol/enrol/shared/calendars"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

func TestHours(t *testing.T) {
	for _, c := range []struct {
		text       string
		start, end int
		ok         bool
	}{
		{"每周四 19:00–20:30（10 月 2 日国庆假期停课）", 19 * 60, 20*60 + 30, true},
		{"周一至周五 8:00-17:00，共 5 天", 8 * 60, 17 * 60, true},
		{"周一至周五 07:45 ～ 17:30", 7*60 + 45, 17*60 + 30, true},
		{"每周二 19：00至21：00", 19 * 60, 21 * 60, true},
		{"全日托，按月收费", 0, 0, false},
		{"20:00–19:00", 0, 0, false}, // ends before it starts
		{"25:00–26:00", 0, 0, false},
		{"19:75–20:00", 0, 0, false},
		{"周六 9:00—11:30，周日 14:00—16:00", 9 * 60, 11*60 + 30, true}, // the first range
	} {
		start, end, ok := calendars.Hours(c.text)
		if start != c.start || end != c.end || ok != c.ok {
			t.Errorf("Hours(%q) = %d, %d, %v; want %d, %d, %v", c.text, start, end, ok, c.start, c.end, c.ok)
		}
	}
}

// event is what a test checks of one parsed VEVENT.
type event struct {
	UID, Start, End, Status, Summary, Location string
	Sequence                                   string
}

func parse(t *testing.T, text string) (*ics.Calendar, map[string]event) {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(text))
	if err != nil {
		t.Fatalf("the calendar does not parse: %v\n%s", err, text)
	}
	out := map[string]event{}
	val := func(e *ics.VEvent, p ics.ComponentProperty) string {
		if v := e.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	for _, e := range cal.Events() {
		ev := event{UID: e.Id(), Status: val(e, ics.ComponentPropertyStatus), Summary: val(e, ics.ComponentPropertySummary),
			Location: val(e, ics.ComponentPropertyLocation), Sequence: val(e, ics.ComponentPropertySequence)}
		if p := e.GetProperty(ics.ComponentPropertyDtStart); p != nil && len(p.ICalParameters["TZID"]) == 1 {
			s, err := e.GetStartAt()
			if err != nil {
				t.Fatal(err)
			}
			en, err := e.GetEndAt()
			if err != nil {
				t.Fatal(err)
			}
			if s.Location().String() != calendars.Zone {
				t.Errorf("%s starts in %s", ev.UID, s.Location())
			}
			ev.Start, ev.End = s.Format("2006-01-02 15:04"), en.Format("15:04")
		} else {
			s, err := e.GetAllDayStartAt()
			if err != nil {
				t.Fatal(err)
			}
			en, err := e.GetAllDayEndAt()
			if err != nil {
				t.Fatal(err)
			}
			ev.Start, ev.End = s.Format("2006-01-02")+" all day", en.Format("2006-01-02")
		}
		if _, dup := out[ev.UID]; dup {
			t.Errorf("UID %s twice", ev.UID)
		}
		out[ev.UID] = ev
	}
	return cal, out
}

// TestBuild: one event per session, timed in Asia/Shanghai when the
// schedule names hours, all-day when it does not; childcare without
// sessions is one all-day event on its first day; a recently cancelled
// booking's sessions are CANCELLED and an older one's are gone; a place in
// line has none; the calendar parses back with the VTIMEZONE and
// X-WR-TIMEZONE of the city, and the same bookings give the same UIDs.
func TestBuild(t *testing.T) {
	now := time.Date(2025, 9, 10, 12, 0, 0, 0, domain.CityZone)
	centre := domain.Centre{ID: "c1", Name: "梁溪区青年夜校", Address: "无锡市梁溪区中山路 1 号"}
	evening := domain.Offering{ID: "o1", Title: "锡青夜校 · 惠山泥人", Centre: centre.Ref(), StartsOn: "2025-09-11",
		Schedule: domain.Schedule{Text: "每周四 19:00–20:30", Sessions: []string{"2025-09-11", "2025-09-18"}}}
	untimed := domain.Offering{ID: "o2", Title: "七彩托班", Centre: centre.Ref(), StartsOn: "2025-07-07",
		Schedule: domain.Schedule{Text: "暑期托班", Sessions: []string{"2025-07-07"}}}
	childcare := domain.Offering{ID: "o3", Title: "托小班", Centre: centre.Ref(), StartsOn: "2026-03-02",
		Schedule: domain.Schedule{Text: "周一至周五 07:45–17:30"}}
	updated := now.Add(-time.Hour)
	booking := func(id string, status domain.BookingStatus, cancelledAgo time.Duration) domain.Booking {
		b := domain.Booking{ID: id, Status: status, UpdatedAt: updated}
		if status == domain.BookingCancelled {
			at := now.Add(-cancelledAgo)
			b.CancelledAt, b.UpdatedAt = &at, at
		}
		return b
	}
	entries := []calendars.Entry{
		{Booking: booking("bk1", domain.BookingConfirmed, 0), Offering: evening, Centre: centre},
		{Booking: booking("bk2", domain.BookingConfirmed, 0), Offering: untimed}, // centre unknown: its name
		{Booking: booking("bk3", domain.BookingConfirmed, 0), Offering: childcare, Centre: centre},
		{Booking: booking("bk4", domain.BookingCancelled, 24*time.Hour), Offering: evening, Centre: centre},
		{Booking: booking("bk5", domain.BookingCancelled, 91*24*time.Hour), Offering: evening, Centre: centre},
		{Booking: booking("bk6", domain.BookingWaitlisted, 0), Offering: evening, Centre: centre},
	}
	text := calendars.Build(entries, now)
	cal, got := parse(t, text)
	loc := "梁溪区青年夜校 无锡市梁溪区中山路 1 号"
	want := map[string]event{
		"bk1-20250911@enrol.wuxi": {Start: "2025-09-11 19:00", End: "20:30", Status: "CONFIRMED", Summary: evening.Title, Location: loc},
		"bk1-20250918@enrol.wuxi": {Start: "2025-09-18 19:00", End: "20:30", Status: "CONFIRMED", Summary: evening.Title, Location: loc},
		"bk2-20250707@enrol.wuxi": {Start: "2025-07-07 all day", End: "2025-07-08", Status: "CONFIRMED", Summary: untimed.Title, Location: centre.Name},
		"bk3-20260302@enrol.wuxi": {Start: "2026-03-02 all day", End: "2026-03-03", Status: "CONFIRMED", Summary: childcare.Title, Location: loc},
		"bk4-20250911@enrol.wuxi": {Start: "2025-09-11 19:00", End: "20:30", Status: "CANCELLED", Summary: evening.Title, Location: loc},
		"bk4-20250918@enrol.wuxi": {Start: "2025-09-18 19:00", End: "20:30", Status: "CANCELLED", Summary: evening.Title, Location: loc},
	}
	if len(got) != len(want) {
		t.Errorf("%d events, want %d: %v", len(got), len(want), got)
	}
	for uid, w := range want {
		g, ok := got[uid]
		if !ok {
			t.Errorf("no event %s", uid)
			continue
		}
		w.UID, w.Sequence = uid, g.Sequence
		if g != w {
			t.Errorf("event %s:\n got  %+v\n want %+v", uid, g, w)
		}
		if g.Sequence == "" || g.Sequence == "0" {
			t.Errorf("event %s has no SEQUENCE", uid)
		}
	}
	// bk1 changed an hour ago, bk4 a day ago: the later change is higher.
	if later, earlier := seq(t, got["bk1-20250911@enrol.wuxi"]), seq(t, got["bk4-20250911@enrol.wuxi"]); later <= earlier {
		t.Errorf("a later change has a SEQUENCE no higher: %d vs %d", later, earlier)
	}
	tzs := cal.Timezones()
	if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != calendars.Zone {
		t.Errorf("VTIMEZONE %v", tzs)
	}
	for _, line := range []string{"X-WR-TIMEZONE:Asia/Shanghai", "DTSTART;TZID=Asia/Shanghai:20250911T190000", "TZOFFSETTO:+0800", "METHOD:PUBLISH"} {
		if !strings.Contains(text, line+"\r\n") {
			t.Errorf("no line %q in\n%s", line, text)
		}
	}
	// Downloaded again later: the same events, only DTSTAMP moves.
	again := calendars.Build(entries, now.Add(time.Minute))
	_, got2 := parse(t, again)
	if fmt.Sprint(got2) != fmt.Sprint(got) {
		t.Errorf("a second download differs:\n%v\n%v", got2, got)
	}
}

func seq(t *testing.T, e event) int {
	t.Helper()
	n, err := strconv.Atoi(e.Sequence)
	if err != nil {
		t.Fatalf("SEQUENCE %q of %s", e.Sequence, e.UID)
	}
	return n
}

// TestBuildEmpty: no bookings is a valid, empty calendar.
func TestBuildEmpty(t *testing.T) {
	cal, got := parse(t, calendars.Build(nil, time.Date(2025, 9, 10, 12, 0, 0, 0, domain.CityZone)))
	if len(got) != 0 || len(cal.Timezones()) != 1 {
		t.Fatalf("an empty calendar: %v", got)
	}
}
