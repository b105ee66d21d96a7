package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centreadmin"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Staff accounts `make run` prints tokens for: a member of staff of the
// demo offering's youth hub, and an education-bureau officer.
const (
	DemoStaff       = "staff-liangxi-04"
	DemoStaffCentre = "c-liangxi-04"
	DemoOfficer     = "officer-wuxi-edu"
)

// PastCourse is last term's evening course at the demo youth hub: its
// sessions are over and its attendance recorded.
const PastCourse = "o-liangxi-ec-past"

// history seeds last term: an evening course with four weekly sessions
// before today, booked by the adults of the seed, with attendance in which
// one of them missed two sessions unexcused. It goes through the same
// services as the API, so the no-show block is the one the API would write.
func (r *runner) history(ctx context.Context) error {
	centre, err := r.d.Store.GetCentre(ctx, DemoStaffCentre)
	if err != nil {
		return err
	}
	rule := domain.NoShowRules[domain.EveningCourse]
	term, ok := domain.PreviousTerm(r.cal.eveningTerm, rule.Seasons)
	if !ok {
		return fmt.Errorf("no term before %s", r.cal.eveningTerm)
	}
	if err := r.d.Store.PutOffering(ctx, pastCourseOffering(centre, term, r.d.Now()), true); err != nil {
		return err
	}
	// As stored: a run on a later day must record attendance for the
	// sessions the first run wrote, not for ones derived from its own now.
	o, err := r.d.Store.GetOffering(ctx, PastCourse)
	if err != nil {
		return err
	}
	var adults []domain.Participant
	for _, res := range r.people {
		if res.kind == domain.EveningCourse && res.account != DemoResident && len(adults) < 6 {
			adults = append(adults, r.participants[res.id])
		}
	}
	var booked []*seeded
	for _, p := range adults {
		b, err := r.bookOne(ctx, PastCourse, p)
		if err != nil {
			return fmt.Errorf("booking %s: %w", p.ID, err)
		}
		if b != nil {
			booked = append(booked, b)
			r.bookings = append(r.bookings, b)
		}
	}
	if err := r.close(ctx, PastCourse); err != nil {
		return err
	}
	// The first adult missed two sessions unexcused, so evening-course
	// bookings this term answer no_show_blocked.
	r.blocked = [2]string{adults[0].Account, adults[0].ID}
	admin := &centreadmin.Service{Store: r.d.Store, Now: r.d.Now}
	officer := auth.Caller{Sub: DemoOfficer, Groups: []string{auth.CityOfficers}}
	for i, date := range o.Schedule.Sessions {
		var records []centreadmin.AttendanceRecord
		for j, b := range booked {
			status := domain.Present
			switch {
			case j == 0 && i < 2: // blocked: two unexcused absences
				status = domain.Absent
			case j == 1 && i == 2:
				status = domain.Excused
			case j == 2 && i == 3:
				status = domain.Absent
			}
			records = append(records, centreadmin.AttendanceRecord{BookingID: b.id, Status: status})
		}
		if _, err := admin.RecordAttendance(ctx, officer, PastCourse, date, records); err != nil {
			return fmt.Errorf("attendance %s: %w", date, err)
		}
	}
	r.progress("上期出勤 / last term's attendance: %s，%d 人，%d 次课；%s 因两次无故缺勤本期不能报名夜校",
		PastCourse, len(booked), len(o.Schedule.Sessions), r.blocked[1])
	return nil
}

// pastCourseOffering is PastCourse as history first writes it: four weekly
// sessions ending in the last few weeks, booking open around now only so
// that the seed can book it before closing it.
func pastCourseOffering(centre domain.Centre, term string, now time.Time) domain.Offering {
	first := onOrAfter(now.AddDate(0, 0, -42), time.Tuesday)
	var sessions []string
	for i := range 4 {
		sessions = append(sessions, day(first.AddDate(0, 0, 7*i)))
	}
	rule := domain.NoShowRules[domain.EveningCourse]
	return domain.Offering{
		ID: PastCourse, Kind: domain.EveningCourse, Centre: centre.Ref(), Term: term,
		Title: "锡青夜校 · 惠山泥人彩绘（上期）", Description: "上一期课程：学习惠山泥人“阿福”的开相与彩绘。",
		StartsOn: sessions[0], EndsOn: sessions[3],
		Schedule: domain.Schedule{Text: "每周二 19:00–21:00，共 4 次", Sessions: sessions},
		Capacity: 20, Status: domain.OfferingPublished, FeeFen: 5000,
		// Open while the seed books, then closed like any finished course.
		BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: now.Add(time.Hour),
		MinAgeMonths: 216, MaxAgeMonths: 551, MaxPerParticipantPerTerm: 2, WaitlistEnabled: true, NoShowRule: &rule,
	}
}
