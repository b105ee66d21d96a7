package domain

import (
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// DateLayout is the contract's YYYY-MM-DD.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD date in the city's zone.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(DateLayout, s, CityZone)
}

// AgeInMonths is the age in whole months on day on (a birthday month counts
// only once its day is reached).
func AgeInMonths(birth, on time.Time) int {
	m := (on.Year()-birth.Year())*12 + int(on.Month()-birth.Month())
	if on.Day() < birth.Day() {
		m--
	}
	return m
}

// Bookable applies the contract's booking rule 4 to what was read: the
// offering must be published and within its booking window, the
// participant of the right age on starts_on. Who then gets a place is the
// allocation policy's to decide.
// A lottery offering is booked first come only once its draw has given
// out its offers (DrawnAt) and booking_opens_at has come.
func Bookable(o Offering, p Participant, now time.Time) error {
	if o.Status != OfferingPublished {
		return apperr.New(apperr.BookingClosed, "该项目当前不接受报名", "This offering is not open for booking")
	}
	if o.CentreSuspended {
		return errCentreSuspended(apperr.BookingClosed)
	}
	if o.IsLottery() && o.DrawnAt == nil {
		return apperr.New(apperr.BookingClosed, "该项目以抽签分配名额，抽签完成前不能直接报名，请提交申请",
			"Places in this offering are given by a draw: it cannot be booked before the draw is done; apply instead")
	}
	if now.Before(o.BookingOpensAt) {
		at := o.BookingOpensAt.In(CityZone).Format("2006-01-02 15:04")
		return apperr.New(apperr.BookingClosed, "报名尚未开始，开始时间："+at, "Booking has not opened yet; it opens at "+at)
	}
	if !now.Before(o.BookingClosesAt) {
		return apperr.New(apperr.BookingClosed, "报名已截止", "Booking has closed")
	}
	return CheckAge(o, p)
}

// Applicable applies the contract's rules for applying to a lottery
// offering to what was read: a published lottery, inside its application
// window, the participant of the right age on starts_on. The no-show block,
// the term limit and one application per identity are checked in the write.
func Applicable(o Offering, p Participant, now time.Time) error {
	if !o.IsLottery() {
		return apperr.New(apperr.ApplicationsClosed, "该项目先到先得，不接受抽签申请，请直接报名",
			"This offering is first come, first served and takes no applications; book it instead")
	}
	if o.Status != OfferingPublished {
		return apperr.New(apperr.ApplicationsClosed, "该项目当前不接受申请", "This offering is not taking applications")
	}
	if o.CentreSuspended {
		return errCentreSuspended(apperr.BookingClosed)
	}
	if err := ApplicationsOpen(o, now); err != nil {
		return err
	}
	return CheckAge(o, p)
}

// ApplicationsOpen: now lies in the lottery's window [open, close); the
// refusal says when it opens or when it closed.
func ApplicationsOpen(o Offering, now time.Time) error {
	if o.ApplicationsOpenAt == nil || o.ApplicationsCloseAt == nil {
		return apperr.New(apperr.ApplicationsClosed, "该项目当前不接受申请", "This offering is not taking applications")
	}
	if now.Before(*o.ApplicationsOpenAt) {
		at := o.ApplicationsOpenAt.In(CityZone).Format("2006-01-02 15:04")
		e := apperr.New(apperr.ApplicationsClosed, "申请尚未开始，开始时间："+at, "Applications have not opened yet; they open at "+at)
		e.Extra = map[string]any{"applications_open_at": o.ApplicationsOpenAt.In(CityZone)}
		return e
	}
	if !now.Before(*o.ApplicationsCloseAt) {
		at := o.ApplicationsCloseAt.In(CityZone).Format("2006-01-02 15:04")
		e := apperr.New(apperr.ApplicationsClosed, "申请已于 "+at+" 截止", "Applications closed at "+at)
		e.Extra = map[string]any{"applications_close_at": o.ApplicationsCloseAt.In(CityZone)}
		return e
	}
	return nil
}

// CheckAge: the age on starts_on must lie in min_age_months..max_age_months.
func CheckAge(o Offering, p Participant) error {
	birth, err1 := ParseDate(p.BirthDate)
	start, err2 := ParseDate(o.StartsOn)
	if err1 != nil || err2 != nil {
		return apperr.Wrap(apperr.Internal, fmt.Errorf("bad stored date: %v %v", err1, err2), "", "")
	}
	age := AgeInMonths(birth, start)
	if age < o.MinAgeMonths || age > o.MaxAgeMonths {
		return apperr.New(apperr.NotEligible,
			fmt.Sprintf("年龄不符：开课日 %s 时为 %s，要求 %s 至 %s", o.StartsOn, AgeText(age, true), AgeText(o.MinAgeMonths, true), AgeText(o.MaxAgeMonths, true)),
			fmt.Sprintf("Not eligible: aged %s on %s; this offering takes %s to %s", AgeText(age, false), o.StartsOn, AgeText(o.MinAgeMonths, false), AgeText(o.MaxAgeMonths, false)))
	}
	return nil
}

// AgeText says an age in whole months as people do: months for small
// children, years and months from two (in Chinese when zh, else English),
// as the refusals here, the roster and its downloads show it. A negative
// age (a birth date that could not be read) says nothing.
func AgeText(m int, zh bool) string {
	y, r := m/12, m%12
	unit := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case m < 0:
		return ""
	case m < 24 && zh:
		return fmt.Sprintf("%d 个月", m)
	case m < 24:
		return unit(m, "month", "months")
	case zh && r == 0:
		return fmt.Sprintf("%d 岁", y)
	case zh:
		return fmt.Sprintf("%d 岁 %d 个月", y, r)
	case r == 0:
		return unit(y, "year", "years")
	default:
		return unit(y, "year", "years") + " " + unit(r, "month", "months")
	}
}

// errCentreSuspended: the offering's centre is suspended, so it takes no
// new bookings or applications; what was booked before stands.
func errCentreSuspended(code apperr.Code) error {
	return apperr.New(code, "该机构已暂停招生，暂不接受新的报名或申请；已有报名不受影响",
		"This centre is suspended: it takes no new bookings or applications; bookings already made stand")
}
