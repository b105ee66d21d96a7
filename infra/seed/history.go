package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Staff accounts `make run` prints tokens for: a member of staff of the
// demo offering's youth hub, and an education-bureau officer.
const (
	DemoStaff       = "staff-liangxi-04"
	DemoStaffCentre = "c-liangxi-04"
	DemoOfficer     = "officer-wuxi-edu"
)

// DemoDistrict is the district of the demo district officer `make run`
// prints a token for (and the web's sign-in picker offers): DemoStaffCentre's.
const DemoDistrict domain.District = "liangxi"

// DemoDistrictOfficer is the demo district officer of district d (group
// district-officers, custom:district d): officer-<d>, one per district.
// Like every demo account it is a sub the local token route signs in
// (POST /_local/token {"sub", "groups": ["district-officers"], "district"}).
func DemoDistrictOfficer(d domain.District) string { return "officer-" + string(d) }

// DemoDistrictOfficers are the demo district officers, one per district, in
// domain.Districts' order.
func DemoDistrictOfficers() []string {
	out := make([]string, len(domain.Districts))
	for i, d := range domain.Districts {
		out[i] = DemoDistrictOfficer(d)
	}
	return out
}

// PastCourse is last term's evening course at the demo youth hub: its
// sessions are over and its attendance recorded.
const PastCourse = "o-liangxi-ec-past"

// history seeds last term: an evening course with four weekly sessions
// before today, in the evening term before the one on offer, booked by the
// adults of the seed while its booking was open, with attendance in which
// one of them missed two sessions unexcused. It goes through the same
// services as the API, so the no-show block is the one the API would write,
// and it blocks that adult from the term on offer.
func (r *runner) history(ctx context.Context) error {
	centre, err := r.d.Store.GetCentre(ctx, DemoStaffCentre)
	if err != nil {
		return err
	}
	if err := r.d.Store.PutOffering(ctx, pastCourseOffering(centre, r.cal), true); err != nil {
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
	// They booked in the days after its booking opened: through a booking
	// service on a clock of those days, as on any other they would find
	// booking closed.
	then := o.BookingOpensAt
	past := *r.d.Booking
	past.Now = func() time.Time { return then }
	var booked []*seeded
	for i, p := range adults {
		then = o.BookingOpensAt.Add(time.Duration(2+19*i) * time.Hour).Add(time.Duration(7*i) * time.Minute)
		b, err := r.bookOneWith(ctx, &past, PastCourse, p)
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
	// The first adult (blockedResident, whom the plan left out of this
	// term) missed two sessions unexcused, so evening-course bookings this
	// term answer no_show_blocked.
	r.blocked = [2]string{adults[0].Account, adults[0].ID}
	admin := &centrestaff.Service{Store: r.d.Store, Now: r.d.Now}
	officer := auth.Caller{Sub: DemoOfficer, Groups: []string{auth.CityOfficers}}
	for i, date := range o.Schedule.Sessions {
		var records []centrestaff.AttendanceRecord
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
			records = append(records, centrestaff.AttendanceRecord{BookingID: b.id, Status: status})
		}
		if _, err := admin.RecordAttendance(ctx, officer, PastCourse, date, records); err != nil {
			return fmt.Errorf("attendance %s: %w", date, err)
		}
	}
	r.progress("上期出勤 / last term's attendance: %s，%d 人，%d 次课；%s 因两次无故缺勤本期不能报名夜校",
		PastCourse, len(booked), len(o.Schedule.Sessions), r.blocked[1])
	return nil
}

// pastCourseOffering is PastCourse as history first writes it: the
// calendar's four weekly sessions of last term, booking open in the two
// weeks before the first; the seed books it and then closes it like any
// finished course.
func pastCourseOffering(centre domain.Centre, cal calendar) domain.Offering {
	var sessions []string
	for _, d := range cal.pastSessions {
		sessions = append(sessions, day(d))
	}
	first := cal.pastSessions[0]
	rule := domain.NoShowRules[domain.EveningCourse]
	return domain.Offering{
		ID: PastCourse, Kind: domain.EveningCourse, Centre: centre.Ref(), Term: cal.pastTerm,
		Title: "锡青夜校 · 惠山泥人彩绘（上期）", Description: "上一期课程：学习惠山泥人“阿福”的开相与彩绘。",
		StartsOn: sessions[0], EndsOn: sessions[len(sessions)-1],
		Schedule: domain.Schedule{Text: fmt.Sprintf("每周二 19:00–21:00，共 %d 次", len(sessions)), Sessions: sessions},
		Capacity: 20, Status: domain.OfferingPublished, FeeFen: 5000,
		BookingOpensAt: at(first.AddDate(0, 0, -14), 10), BookingClosesAt: at(first.AddDate(0, 0, -1), 18),
		MinAgeMonths: 216, MaxAgeMonths: 551, MaxPerParticipantPerTerm: 2, WaitlistEnabled: true, NoShowRule: &rule,
	}
}

// blockedResident is the adult whom last term's absences block: the first
// seeded for evening courses outside the demo account.
func blockedResident(people []resident) resident {
	for _, res := range people {
		if res.kind == domain.EveningCourse && res.account != DemoResident {
			return res
		}
	}
	return resident{}
}
