// Package rosterexport writes an offering's roster for centre staff: a CSV
// that Excel opens with its Chinese intact, and an .xlsx workbook with the
// roster and an attendance grid. It only formats what it is given; reading
// bookings and participants is the caller's job.
package rosterexport

import (
	"fmt"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/download"
)

// Content types for the HTTP response.
const (
	CSVContentType  = download.CSVContentType
	XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Entry is one roster line.
type Entry struct {
	BookingID        string
	ParticipantName  string
	IDNumberLast4    string
	AgeMonths        int                  // age on the offering's starts_on
	Status           domain.BookingStatus // confirmed or waitlisted
	WaitlistPosition int                  // 1-based, waitlisted only
	BookedAt         time.Time
	Attendance       map[string]string // session date (YYYY-MM-DD) -> a domain.AttendanceStatus
	Verified         bool              // identity checked against a document for this booking's account
}

// Roster is what is exported.
type Roster struct {
	Offering  domain.Offering // title, centre, kind, term, starts_on, schedule.Sessions …
	Entries   []Entry         // already in order: confirmed by booking time, then the waitlist in order
	Generated time.Time
}

// Summary counts e's attendance marks on the offering's sessions. Marks for
// dates outside the schedule are ignored so the totals always agree with the
// per-session columns beside them.
func (r Roster) Summary(e Entry) (present, absent, excused int) {
	for _, d := range r.sessions() {
		switch mark(e.Attendance[d]) {
		case domain.Present:
			present++
		case domain.Absent:
			absent++
		case domain.Excused:
			excused++
		}
	}
	return present, absent, excused
}

// sessions are the schedule's dates, without blanks or repeats: a repeated
// date would otherwise be a second column and be counted twice.
func (r Roster) sessions() []string {
	seen := make(map[string]bool, len(r.Offering.Schedule.Sessions))
	out := make([]string, 0, len(r.Offering.Schedule.Sessions))
	for _, d := range r.Offering.Schedule.Sessions {
		d = strings.TrimSpace(d)
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}

// mark normalises a stored attendance value; anything else reads as unmarked.
func mark(v string) domain.AttendanceStatus {
	switch s := domain.AttendanceStatus(strings.ToLower(strings.TrimSpace(v))); s {
	case domain.Present, domain.Absent, domain.Excused:
		return s
	}
	return ""
}

// markText is the mark as staff write it on paper.
func markText(v string) string {
	switch mark(v) {
	case domain.Present:
		return "出勤"
	case domain.Absent:
		return "缺勤"
	case domain.Excused:
		return "请假"
	}
	return ""
}

// statusText: 确认, or 候补 with the place in line.
func statusText(e Entry) string {
	switch e.Status {
	case domain.BookingConfirmed:
		return "确认"
	case domain.BookingWaitlisted:
		if e.WaitlistPosition > 0 {
			return fmt.Sprintf("候补 %d", e.WaitlistPosition)
		}
		return "候补"
	case domain.BookingCancelled:
		return "已取消"
	}
	return string(e.Status)
}

const timeLayout = "2006-01-02 15:04:05"

// cityTime formats t in Wuxi's zone, whatever zone it was stored in.
func cityTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.CityZone).Format(layout)
}

// Column headers: Chinese for staff, English in brackets for everyone else.
const (
	hNo       = "序号 (No.)"
	hName     = "姓名 (Name)"
	hIDLast4  = "身份证后四位 (ID last 4)"
	hAge      = "年龄 (Age)"
	hStatus   = "状态 (Status)"
	hBookedAt = "报名时间 (Booked at)"
	hBooking  = "报名编号 (Booking ID)"
	hCode     = "报名码 (Code)"
	hPresent  = "出勤 (Present)"
	hAbsent   = "缺勤 (Absent)"
	hExcused  = "请假 (Excused)"
)

// rosterHeader is the roster's columns, shared by the CSV and the workbook's
// first sheet so the two never drift apart.
func (r Roster) rosterHeader() []string {
	h := []string{hNo, hName, hIDLast4, hAge, hStatus, hBookedAt, hBooking, hCode, hPresent, hAbsent, hExcused}
	return append(h, r.sessions()...)
}

// rosterRow is entry i's line; numbers stay ints so the workbook stores them
// as numbers that sort and sum, and the ID number's last four stay text
// (0029 is no 29). The age is said as people say it, the same words as the
// booking rules use: "8 个月", "7 岁 5 个月", never an adult's age in months.
func (r Roster) rosterRow(i int, e Entry) []any {
	p, a, x := r.Summary(e)
	row := []any{i + 1, e.ParticipantName, download.Digits(e.IDNumberLast4), domain.AgeText(e.AgeMonths, true),
		statusText(e), cityTime(e.BookedAt, timeLayout), e.BookingID, domain.BookingCode(e.BookingID), p, a, x}
	for _, d := range r.sessions() {
		row = append(row, markText(e.Attendance[d]))
	}
	return row
}

// title is the line above the workbook's tables: what, where, when.
func (r Roster) title() string {
	o := r.Offering
	parts := []string{o.Title, domain.KindNames[o.Kind], o.Centre.Name, o.Term}
	if o.StartsOn != "" {
		parts = append(parts, "开课日期 "+o.StartsOn)
	}
	if g := cityTime(r.Generated, "2006-01-02 15:04"); g != "" {
		parts = append(parts, "导出时间 "+g)
	}
	out := parts[:0]
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "  ·  ")
}

// FileName is the name staff see when saving, e.g.
// "花名册-of_123-20250701.csv". The offering id is reduced to ASCII letters,
// digits, '-' and '_' so that it can never smuggle a path or a quote into the
// name; the date is Generated's in Wuxi and is left out if Generated is zero.
func FileName(r Roster, ext string) string {
	return name("花名册", r, ext)
}

// asciiFileName is the fallback for clients that ignore filename*.
func asciiFileName(r Roster, ext string) string {
	return name("roster", r, ext)
}

func name(prefix string, r Roster, ext string) string {
	parts := []string{prefix}
	if id := download.Safe(r.Offering.ID); id != "" {
		parts = append(parts, id)
	}
	if d := cityTime(r.Generated, "20060102"); d != "" {
		parts = append(parts, d)
	}
	n := strings.Join(parts, "-")
	if ext = download.Safe(strings.TrimPrefix(ext, ".")); ext != "" {
		n += "." + ext
	}
	return n
}

// ContentDisposition is the Content-Disposition header for a download of
// the roster.
func ContentDisposition(r Roster, ext string) string {
	return download.Disposition(FileName(r, ext), asciiFileName(r, ext))
}

// displayWidth approximates how many Latin-character widths s takes in
// Excel: CJK and full-width characters count double.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}
