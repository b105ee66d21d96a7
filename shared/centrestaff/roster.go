package centrestaff

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/rosterexport"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Roster is an offering's confirmed and waitlisted participants in arrival
// order (the waitlist numbered), with their attendance and whether each
// one's identity is verified for the booking's account, read page by page
// from the roster index. format is what the caller gets it as ("json",
// "csv", "xlsx"): viewing is audited (roster.viewed), downloading too
// (roster.exported), and a roster whose audit record fails is not given.
func (s *Service) Roster(ctx context.Context, c auth.Caller, offeringID, format string) (rosterexport.Roster, error) {
	o, err := s.Offering(ctx, c, offeringID)
	if err != nil {
		return rosterexport.Roster{}, err
	}
	active, err := s.activeBookings(ctx, offeringID)
	if err != nil {
		return rosterexport.Roster{}, err
	}
	days, err := s.Store.AttendanceDays(ctx, offeringID)
	if err != nil {
		return rosterexport.Roster{}, err
	}
	identities := make([]string, len(active))
	for i, b := range active {
		identities[i] = b.Identity
	}
	verified, err := s.Store.VerifiedAccounts(ctx, identities)
	if err != nil {
		return rosterexport.Roster{}, err
	}
	action, detail := "roster.viewed", map[string]any{"format": "json"}
	if format == "csv" || format == "xlsx" {
		action, detail["format"] = "roster.exported", format
	}
	now := s.Now()
	if err := s.Store.PutAudit(ctx, store.Audit(o.Centre.ID, c.Sub, action, o.ID, nil, detail, now)); err != nil {
		return rosterexport.Roster{}, err
	}
	start, _ := domain.ParseDate(o.StartsOn)
	r := rosterexport.Roster{Offering: o, Generated: now}
	position := 0
	for _, b := range active {
		e := rosterexport.Entry{
			BookingID: b.ID, ParticipantName: b.Participant.Name, IDNumberLast4: b.IDNumberLast4,
			AgeMonths: -1, Status: b.Status, BookedAt: b.CreatedAt, Attendance: map[string]string{},
			Verified: verified[b.Identity] == b.Account,
		}
		if b.Erased {
			e.ParticipantName = domain.ErasedName
		}
		if birth, err := domain.ParseDate(b.BirthDate); err == nil {
			e.AgeMonths = domain.AgeInMonths(birth, start)
		}
		if b.Status == domain.BookingWaitlisted {
			position++
			e.WaitlistPosition = position
		}
		for _, d := range days {
			if st, ok := d.Records[b.ID]; ok {
				e.Attendance[d.Date] = string(st)
			}
		}
		r.Entries = append(r.Entries, e)
	}
	// Confirmed first, each group in arrival order (the sort is stable).
	slices.SortStableFunc(r.Entries, func(a, b rosterexport.Entry) int {
		return boolInt(a.Status == domain.BookingWaitlisted) - boolInt(b.Status == domain.BookingWaitlisted)
	})
	return r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// activeBookings reads an offering's confirmed and waitlisted bookings in
// arrival order, every page of them.
func (s *Service) activeBookings(ctx context.Context, offeringID string) ([]domain.Booking, error) {
	var out []domain.Booking
	page := paging.Page{Limit: 200}
	for {
		bs, next, err := s.Store.RosterPage(ctx, offeringID, page)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			if b.Status.Active() {
				out = append(out, b)
			}
		}
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// AttendanceRecord is one line of a day's attendance.
type AttendanceRecord struct {
	BookingID string                  `json:"booking_id"`
	Status    domain.AttendanceStatus `json:"status"`
}

// RecordAttendance replaces what was recorded for one session date. The
// date must be a session of the offering, and every booking confirmed on
// it; re-sending the same day is safe.
func (s *Service) RecordAttendance(ctx context.Context, c auth.Caller, offeringID, date string, records []AttendanceRecord) (store.AttendanceDay, error) {
	o, err := s.Offering(ctx, c, offeringID)
	if err != nil {
		return store.AttendanceDay{}, err
	}
	var v apperr.Validation
	// A day not yet come has no attendance: an absence recorded ahead would
	// count as a no-show and could block the person's next term.
	today := s.Now().In(domain.CityZone).Format(domain.DateLayout)
	switch {
	case !slices.Contains(o.Schedule.Sessions, date):
		v.Add("date", "该日期不是本项目的上课日", "this date is not a session of the offering")
	case date > today:
		v.Add("date", fmt.Sprintf("不能记录未来日期的出勤（今天是 %s）", today), fmt.Sprintf("attendance cannot be recorded for a day after today (%s)", today))
	}
	if len(records) == 0 {
		v.Add("records", "请至少提交一条出勤记录", "records must not be empty")
	}
	if err := v.Err(); err != nil {
		return store.AttendanceDay{}, err
	}
	active, err := s.activeBookings(ctx, offeringID)
	if err != nil {
		return store.AttendanceDay{}, err
	}
	confirmed := map[string]domain.Booking{}
	for _, b := range active {
		if b.Status == domain.BookingConfirmed {
			confirmed[b.ID] = b
		}
	}
	now := s.Now()
	day := store.AttendanceDay{Date: date, UpdatedBy: c.Sub, UpdatedAt: now}
	if day.Records, err = attendanceRecords(records, confirmed); err != nil {
		return store.AttendanceDay{}, err
	}
	counted, err := s.Store.CountedAbsences(ctx, o, domain.Recorded(day.Records, confirmed))
	if err != nil {
		return store.AttendanceDay{}, err
	}
	changes := o.AbsenceChanges(date, day.Records, confirmed, counted)
	// The same day sent again after its write landed (an answer lost on the
	// way back) finds it recorded and every absence counted: nothing to
	// write, so no second audit record of one change. The day is written in
	// the last of its transactions, so finding it means the earlier ones landed.
	switch stored, err := s.Store.AttendanceDayOf(ctx, o.ID, date); {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		return store.AttendanceDay{}, err
	case maps.Equal(stored.Records, day.Records) && !slices.ContainsFunc(changes, domain.AbsenceChange.Changes):
		return stored, nil
	}
	err = s.Store.PutAttendanceDay(ctx, o, day, changes,
		store.Audit(o.Centre.ID, c.Sub, "attendance.record", o.ID+"@"+date, nil, day.Records, now))
	return day, err
}

// attendanceRecords checks a day's records against the offering's
// confirmed bookings: each a known status, of a confirmed booking, once.
func attendanceRecords(records []AttendanceRecord, confirmed map[string]domain.Booking) (map[string]domain.AttendanceStatus, error) {
	var v apperr.Validation
	out := map[string]domain.AttendanceStatus{}
	for i, r := range records {
		field := fmt.Sprintf("records[%d]", i)
		switch _, ok := confirmed[r.BookingID]; {
		case !r.Status.Valid():
			v.Add(field+".status", "出勤状态应为 present、absent 或 excused", "status must be present, absent or excused")
		case !ok:
			v.Add(field+".booking_id", "不是本项目已确认的报名", "not a confirmed booking of this offering")
		case out[r.BookingID] != "":
			v.Add(field+".booking_id", "同一报名重复出现", "the same booking appears twice")
		default:
			out[r.BookingID] = r.Status
		}
	}
	return out, v.Err()
}

// Attendance is every recorded day of an offering.
func (s *Service) Attendance(ctx context.Context, c auth.Caller, offeringID string) ([]store.AttendanceDay, error) {
	if _, err := s.Offering(ctx, c, offeringID); err != nil {
		return nil, err
	}
	return s.Store.AttendanceDays(ctx, offeringID)
}
