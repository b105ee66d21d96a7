// Package calendars turns a resident's bookings into iCalendar (RFC 5545),
// for GET /v1/me/calendar.ics and the secret calendar feed: one event per
// session in Asia/Shanghai time, with UIDs that stay the same from one
// download to the next, so a calendar app that imports or subscribes again
// updates its events instead of adding them twice. Pure: what to show is
// decided from what the caller read.
package calendars

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Zone is the zone every timed event is in (the city's; China keeps no
// daylight saving time, so its VTIMEZONE is one fixed offset).
const Zone = "Asia/Shanghai"

// CancelledShownFor is how long a cancelled booking's sessions stay in the
// calendar, marked STATUS:CANCELLED, so that a calendar app that imported
// or subscribed before the cancellation removes them; after that they are
// left out.
const CancelledShownFor = 90 * 24 * time.Hour

// Entry is one booking with what its events are made from.
type Entry struct {
	Booking  domain.Booking
	Offering domain.Offering // title, schedule (text and sessions), starts_on
	// Centre gives the address; when it is unknown (zero) the location is
	// the centre's name as the offering names it.
	Centre domain.Centre
}

// Shown reports whether a booking's sessions belong in a calendar made at
// now: confirmed ones, and ones cancelled within CancelledShownFor (a
// place in line is not a place; it has no sessions yet).
func Shown(b domain.Booking, now time.Time) bool {
	switch b.Status {
	case domain.BookingConfirmed:
		return true
	case domain.BookingCancelled:
		at := b.UpdatedAt
		if b.CancelledAt != nil {
			at = *b.CancelledAt
		}
		return now.Sub(at) <= CancelledShownFor
	}
	return false
}

// hours finds a time range in a schedule's text: "19:00–20:30",
// "8:00-17:00", "07:45 ～ 17:30", "19：00至21：00".
var hours = regexp.MustCompile(`(\d{1,2})[:：](\d{2})\s*[–—\-~～至到]\s*(\d{1,2})[:：](\d{2})`)

// Hours is the first time range a schedule's text names, as minutes after
// midnight; ok is false when it names none (or an impossible one), and
// the sessions are then all-day events.
func Hours(text string) (start, end int, ok bool) {
	m := hours.FindStringSubmatch(text)
	if m == nil {
		return 0, 0, false
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	h1, m1, h2, m2 := n(m[1]), n(m[2]), n(m[3]), n(m[4])
	if h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || h2 == 24 && m2 != 0 {
		return 0, 0, false
	}
	start, end = h1*60+m1, h2*60+m2
	if end <= start {
		return 0, 0, false
	}
	return start, end, true
}

// sequenceEpoch: SEQUENCE is the booking's last change in seconds since
// then, so it grows with every change and fits in 31 bits until 2088.
var sequenceEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// UID is an event's: the booking and the session's day, so the same
// session of the same booking is the same event in every download.
func UID(bookingID, day string) string {
	return bookingID + "-" + strings.ReplaceAll(day, "-", "") + "@enrol.wuxi"
}

// Build is the calendar of entries, made at now (DTSTAMP): entries not
// Shown are left out; an offering without session dates (childcare) is one
// all-day event on its first day. The participant's name is not written:
// a subscribed feed is kept by the calendar provider.
func Build(entries []Entry, now time.Time) string {
	cal := ics.NewCalendarFor("enrol.wuxi")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName("无锡报名 · Wuxi enrol")
	cal.SetXWRTimezone(Zone)
	// Subscribers look again every six hours.
	cal.SetRefreshInterval("PT6H")
	cal.SetXPublishedTTL("PT6H")
	tz := cal.AddTimezone(Zone)
	std := tz.AddStandard()
	std.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0800")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0800")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CST")
	zone := domain.CityZone
	for _, e := range entries {
		b, o := e.Booking, e.Offering
		if !Shown(b, now) {
			continue
		}
		days := o.Schedule.Sessions
		if len(days) == 0 {
			days = []string{o.StartsOn}
		}
		start, end, timed := Hours(o.Schedule.Text)
		timed = timed && len(o.Schedule.Sessions) > 0
		location := o.Centre.Name
		if e.Centre.ID != "" {
			location = strings.TrimSpace(e.Centre.Name + " " + e.Centre.Address)
		}
		for _, day := range days {
			d, err := time.ParseInLocation(domain.DateLayout, day, zone)
			if err != nil {
				continue // not a date: nothing to put in a calendar
			}
			ev := cal.AddEvent(UID(b.ID, day))
			ev.SetDtStampTime(now)
			ev.SetModifiedAt(b.UpdatedAt)
			ev.SetSequence(max(0, int(b.UpdatedAt.Sub(sequenceEpoch)/time.Second)))
			ev.SetSummary(o.Title)
			ev.SetLocation(location)
			ev.SetDescription(o.Schedule.Text)
			if timed {
				const local = "20060102T150405"
				from, to := d.Add(time.Duration(start)*time.Minute), d.Add(time.Duration(end)*time.Minute)
				ev.SetProperty(ics.ComponentPropertyDtStart, from.Format(local), ics.WithTZID(Zone))
				ev.SetProperty(ics.ComponentPropertyDtEnd, to.Format(local), ics.WithTZID(Zone))
			} else {
				ev.SetAllDayStartAt(d)
				ev.SetAllDayEndAt(d.AddDate(0, 0, 1))
			}
			if b.Status == domain.BookingCancelled {
				ev.SetStatus(ics.ObjectStatusCancelled)
			} else {
				ev.SetStatus(ics.ObjectStatusConfirmed)
			}
		}
	}
	// RFC 5545 ends lines with CRLF; the library's default is the OS's.
	return cal.Serialize(ics.WithNewLineWindows)
}
