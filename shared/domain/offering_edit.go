package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// NewOffering is what a centre sends to publish (or draft) an offering.
// Pointers tell a field left out from a zero, so kind defaults can apply.
type NewOffering struct {
	Kind                     Kind           `json:"kind"`
	Title                    string         `json:"title"`
	Description              string         `json:"description"`
	Term                     string         `json:"term"`
	StartsOn                 string         `json:"starts_on"`
	EndsOn                   string         `json:"ends_on"`
	Schedule                 Schedule       `json:"schedule"`
	Capacity                 int            `json:"capacity"`
	BookingOpensAt           *time.Time     `json:"booking_opens_at"`
	BookingClosesAt          *time.Time     `json:"booking_closes_at"`
	FeeFen                   int            `json:"fee_fen"`
	MinAgeMonths             *int           `json:"min_age_months"`
	MaxAgeMonths             *int           `json:"max_age_months"`
	MaxPerParticipantPerTerm *int           `json:"max_per_participant_per_term"`
	WaitlistEnabled          *bool          `json:"waitlist_enabled"`
	NoShowRule               *NoShowRule    `json:"no_show_rule"`
	Status                   OfferingStatus `json:"status"`
	// OfferHours (0–168, default 0): how long an offer holds a freed place
	// for the head of the line. Fixed once created.
	OfferHours *int `json:"offer_hours"`
	// Allocation is first_come (the default) or lottery; a lottery needs
	// its application window and draw time (checkLottery). Fixed once
	// created.
	Allocation          Allocation `json:"allocation"`
	ApplicationsOpenAt  *time.Time `json:"applications_open_at"`
	ApplicationsCloseAt *time.Time `json:"applications_close_at"`
	DrawAt              *time.Time `json:"draw_at"`
}

// DefaultLotteryOfferHours is how long a lottery's offers hold a place
// when the centre says nothing: two days to accept.
const DefaultLotteryOfferHours = 48

// kindDefaults are the sensible ages and limits of each programme.
var kindDefaults = map[Kind]struct {
	minAge, maxAge, maxPerTerm int
	sessions                   bool
	// minAgeFloor: a centre may raise the minimum age but never lower it
	// (锡银学堂 is for 55 and over; a 65+ course is fine, a 50+ one is not).
	minAgeFloor bool
}{
	Childcare:     {0, 36, 0, false, false},
	CareClass:     {72, 155, 0, true, false},
	EveningCourse: {216, 551, 2, true, false},
	SeniorCourse:  {660, 1200, 2, true, true},
}

// kindSeasons are the terms each programme runs in, by default.
var kindSeasons = map[Kind][]string{
	Childcare:     {"winter", "spring", "summer", "autumn"},
	CareClass:     {"winter", "summer"},
	EveningCourse: {"spring", "autumn"},
	SeniorCourse:  {"spring", "autumn"},
}

// Limits on what a centre may publish.
const (
	MaxCapacity = 10000
	// MaxOfferHours is a week: the longest an offer may hold a place.
	MaxOfferHours = 168
	maxSessions   = 400
	maxFeeFen     = 10_000_000
)

// Create validates a new offering for centre c and fills the kind's
// defaults: ages, term limit, waitlist on, the no-show rule, the term from
// the start date, draft unless asked to publish.
func Create(in NewOffering, c Centre, now time.Time) (Offering, error) {
	var v apperr.Validation
	def, kindOK := kindDefaults[in.Kind]
	if !kindOK {
		zh, en := KindChoices()
		v.Add("kind", "kind 应为 "+zh, "kind must be "+en)
	}
	o := Offering{
		ID: NewID("of", now), Kind: in.Kind, Centre: c.Ref(), Title: TitleText.Check(&v, in.Title),
		Description: DescriptionText.Check(&v, in.Description), Term: in.Term, StartsOn: in.StartsOn, EndsOn: in.EndsOn,
		Schedule: in.Schedule, Capacity: in.Capacity, FeeFen: in.FeeFen, Status: in.Status,
		MinAgeMonths: def.minAge, MaxAgeMonths: def.maxAge, MaxPerParticipantPerTerm: def.maxPerTerm, WaitlistEnabled: true,
	}
	if in.MinAgeMonths != nil {
		o.MinAgeMonths = *in.MinAgeMonths
	}
	if in.MaxAgeMonths != nil {
		o.MaxAgeMonths = *in.MaxAgeMonths
	}
	if in.MaxPerParticipantPerTerm != nil {
		o.MaxPerParticipantPerTerm = *in.MaxPerParticipantPerTerm
	}
	if in.WaitlistEnabled != nil {
		o.WaitlistEnabled = *in.WaitlistEnabled
	}
	o.Allocation = FirstCome
	if in.Allocation != "" {
		o.Allocation = in.Allocation
	}
	if o.IsLottery() {
		o.OfferHours = DefaultLotteryOfferHours
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = in.ApplicationsOpenAt, in.ApplicationsCloseAt, in.DrawAt
	}
	if in.OfferHours != nil {
		o.OfferHours = *in.OfferHours
	}
	if o.OfferHours < 0 || o.OfferHours > MaxOfferHours {
		v.Add("offer_hours", "保留名额的小时数应为 0 到 168", "offer_hours must be 0 to 168")
	}
	switch o.Allocation {
	case FirstCome:
		for field, t := range map[string]*time.Time{"applications_open_at": in.ApplicationsOpenAt,
			"applications_close_at": in.ApplicationsCloseAt, "draw_at": in.DrawAt} {
			if t != nil {
				v.Add(field, "先到先得的项目没有申请期和抽签时间（抽签项目请设 allocation 为 lottery）",
					"a first-come offering has no application window or draw time (set allocation to lottery for a draw)")
			}
		}
	case Lottery:
		if o.OfferHours < 1 {
			v.Add("offer_hours", "抽签项目的保留名额时间至少 1 小时", "a lottery's offer_hours must be at least 1")
		}
	default:
		v.Add("allocation", "allocation 应为 first_come 或 lottery", "allocation must be first_come or lottery")
	}
	if rule, ok := NoShowRules[in.Kind]; ok {
		o.NoShowRule = &rule
	}
	if in.NoShowRule != nil {
		rule := *in.NoShowRule
		if len(rule.Seasons) == 0 {
			rule.Seasons = kindSeasons[in.Kind]
		}
		o.NoShowRule = &rule
		if rule.MaxUnexcused == 0 {
			o.NoShowRule = nil
		}
	}
	if o.Status == "" {
		o.Status = OfferingDraft
	}
	if o.Status != OfferingDraft && o.Status != OfferingPublished {
		v.Add("status", "新项目只能为 draft 或 published", "a new offering is draft or published")
	}
	start, errStart := ParseDate(o.StartsOn)
	end, errEnd := ParseDate(o.EndsOn)
	switch {
	case errStart != nil:
		v.Add("starts_on", "开始日期应为 YYYY-MM-DD", "starts_on must be a date YYYY-MM-DD")
	case errEnd != nil:
		v.Add("ends_on", "结束日期应为 YYYY-MM-DD", "ends_on must be a date YYYY-MM-DD")
	case end.Before(start):
		v.Add("ends_on", "结束日期不能早于开始日期", "ends_on cannot be before starts_on")
	case start.Before(now.AddDate(0, 0, -1)):
		v.Add("starts_on", "开始日期不能在过去", "starts_on cannot be in the past")
	}
	if o.Term == "" && errStart == nil {
		o.Term = TermOf(start)
	}
	if !ValidTerm(o.Term) {
		v.Add("term", "学期格式应为 年份-季节，如 2026-autumn", "term must be <year>-<season>, e.g. 2026-autumn")
	}
	// By default booking opens now (a lottery's once its draw is due) and
	// closes the day before the start.
	o.BookingOpensAt, o.BookingClosesAt = now, start
	if o.IsLottery() && o.DrawAt != nil {
		o.BookingOpensAt = *o.DrawAt
	}
	if in.BookingOpensAt != nil {
		o.BookingOpensAt = *in.BookingOpensAt
	}
	if in.BookingClosesAt != nil {
		o.BookingClosesAt = *in.BookingClosesAt
	}
	if errStart == nil {
		checkWindow(&v, o.BookingOpensAt, o.BookingClosesAt, start)
	}
	if o.IsLottery() {
		checkLottery(&v, o, now)
	}
	checkCapacity(&v, o.Capacity)
	if o.FeeFen < 0 || o.FeeFen > maxFeeFen {
		v.Add("fee_fen", "费用应为 0 到 10,000,000 分", "fee_fen must be 0..10,000,000")
	}
	if o.MinAgeMonths < 0 || o.MaxAgeMonths > 1200 || o.MinAgeMonths > o.MaxAgeMonths {
		v.Add("min_age_months", "年龄范围应满足 0 ≤ 最小 ≤ 最大 ≤ 1200 个月", "ages must satisfy 0 ≤ min ≤ max ≤ 1200 months")
	} else if kindOK && (o.MaxAgeMonths < def.minAge || o.MinAgeMonths > def.maxAge) {
		v.Add("max_age_months", fmt.Sprintf("该类项目的年龄应在 %d 到 %d 个月之间", def.minAge, def.maxAge),
			fmt.Sprintf("this kind of offering is for ages %d to %d months", def.minAge, def.maxAge))
	}
	if kindOK && def.minAgeFloor && o.MinAgeMonths < def.minAge {
		v.Add("min_age_months",
			fmt.Sprintf("%s面向 %s及以上的居民：最小年龄不能低于 %d 个月，可以设得更高", KindNames[in.Kind], AgeText(def.minAge, true), def.minAge),
			fmt.Sprintf("%s is for residents aged %s and over: min_age_months cannot be below %d (it may be higher)", in.Kind, AgeText(def.minAge, false), def.minAge))
	}
	if o.MaxPerParticipantPerTerm < 0 || o.MaxPerParticipantPerTerm > 20 {
		v.Add("max_per_participant_per_term", "应为 0（不限）到 20", "must be 0 (no limit) to 20")
	}
	if o.NoShowRule != nil && (o.NoShowRule.MaxUnexcused < 0 || o.NoShowRule.MaxUnexcused > 50) {
		v.Add("no_show_rule", "无故缺勤次数上限应为 0 到 50", "max_unexcused_absences must be 0..50")
	}
	if o.NoShowRule != nil {
		for _, season := range o.NoShowRule.Seasons {
			if !ValidTerm("2000-" + season) {
				v.Add("no_show_rule.term_seasons", "季节应为 winter、spring、summer 或 autumn", "seasons are winter, spring, summer or autumn")
				break
			}
		}
	}
	if errStart == nil && errEnd == nil {
		checkSessions(&v, o.Schedule.Sessions, o.StartsOn, o.EndsOn, def.sessions)
	}
	o.Schedule.Text = ScheduleText.Check(&v, o.Schedule.Text)
	return o, v.Err()
}

func checkCapacity(v *apperr.Validation, capacity int) {
	if capacity < 1 || capacity > MaxCapacity {
		v.Add("capacity", "名额应为 1 到 10000", "capacity must be 1 to 10000")
	}
}

// checkWindow: booking opens before it closes, and closes by the start day.
func checkWindow(v *apperr.Validation, opens, closes, start time.Time) {
	if !opens.Before(closes) {
		v.Add("booking_closes_at", "报名截止时间应晚于开始时间", "booking_closes_at must be after booking_opens_at")
	}
	if closes.After(start) {
		v.Add("booking_closes_at", "报名应在开课日之前截止", "booking must close before starts_on")
	}
}

// checkLottery: a lottery names its window and draw time, in the order
// open < close ≤ draw_at ≤ booking_opens_at, and its window has not closed
// already (the commitment is published before anyone can apply).
func checkLottery(v *apperr.Validation, o Offering, now time.Time) {
	missing := false
	for field, t := range map[string]*time.Time{"applications_open_at": o.ApplicationsOpenAt,
		"applications_close_at": o.ApplicationsCloseAt, "draw_at": o.DrawAt} {
		if t == nil {
			v.Add(field, "抽签项目须设申请开始、截止和抽签时间", "a lottery offering needs applications_open_at, applications_close_at and draw_at")
			missing = true
		}
	}
	if missing {
		return
	}
	open, closes, draw := *o.ApplicationsOpenAt, *o.ApplicationsCloseAt, *o.DrawAt
	switch {
	case !open.Before(closes):
		v.Add("applications_close_at", "申请截止时间应晚于申请开始时间", "applications_close_at must be after applications_open_at")
	case !closes.After(now):
		v.Add("applications_close_at", "申请截止时间应在将来", "applications_close_at must be in the future")
	}
	if draw.Before(closes) {
		v.Add("draw_at", "抽签时间不能早于申请截止时间", "draw_at cannot be before applications_close_at")
	}
	if o.BookingOpensAt.Before(draw) {
		v.Add("booking_opens_at", "抽签项目的先到先得报名不能早于抽签时间", "a lottery's booking_opens_at cannot be before draw_at")
	}
}

func checkSessions(v *apperr.Validation, sessions []string, startsOn, endsOn string, required bool) {
	if required && len(sessions) == 0 {
		v.Add("schedule.sessions", "托班、夜校和锡银学堂须列出上课日期", "care classes, evening courses and senior courses list their session dates")
	}
	if len(sessions) > maxSessions {
		v.Add("schedule.sessions", "上课日期过多", "too many sessions")
		return
	}
	for i, d := range sessions {
		if _, err := ParseDate(d); err != nil || d < startsOn || d > endsOn {
			v.Add(fmt.Sprintf("schedule.sessions[%d]", i), "上课日期应在开始和结束日期之间", "sessions must be dates between starts_on and ends_on")
			return
		}
	}
	if !slices.IsSorted(sessions) || len(slices.Compact(slices.Clone(sessions))) != len(sessions) {
		v.Add("schedule.sessions", "上课日期应按顺序排列且不重复", "sessions must be in order, each once")
	}
}

// Patch is a centre's edit of an offering; fields left out stay as they are.
type Patch struct {
	Title           *string         `json:"title"`
	Description     *string         `json:"description"`
	Capacity        *int            `json:"capacity"`
	BookingOpensAt  *time.Time      `json:"booking_opens_at"`
	BookingClosesAt *time.Time      `json:"booking_closes_at"`
	Status          *OfferingStatus `json:"status"`
	// A lottery's window and draw time: editable only before applications
	// open (the draw's beacon round follows the close).
	ApplicationsOpenAt  *time.Time `json:"applications_open_at"`
	ApplicationsCloseAt *time.Time `json:"applications_close_at"`
	DrawAt              *time.Time `json:"draw_at"`
}

// MovesDraw reports whether p changes a lottery's window or draw time.
func (p Patch) MovesDraw() bool {
	return p.ApplicationsOpenAt != nil || p.ApplicationsCloseAt != nil || p.DrawAt != nil
}

// Edited reports whether after differs from before in what a Patch can
// change (times compared as instants, whatever their zone).
func Edited(before, after Offering) bool {
	return before.Title != after.Title || before.Description != after.Description || before.Capacity != after.Capacity ||
		!before.BookingOpensAt.Equal(after.BookingOpensAt) || !before.BookingClosesAt.Equal(after.BookingClosesAt) ||
		before.Status != after.Status || !sameTime(before.ApplicationsOpenAt, after.ApplicationsOpenAt) ||
		!sameTime(before.ApplicationsCloseAt, after.ApplicationsCloseAt) || !sameTime(before.DrawAt, after.DrawAt)
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// Apply validates p against o and returns the edited offering (counters as
// before: promotions are the caller's). Publishing a draft, closing and
// re-opening are the status changes allowed; a cancelled offering is final.
// A lottery's window and draw time change only before applications open
// (now is when the edit is made).
func (p Patch) Apply(o Offering, now time.Time) (Offering, error) {
	if o.Status == OfferingCancelled {
		return o, apperr.New(apperr.Conflict, "该项目已取消，不能再修改", "This offering is cancelled and can no longer be changed")
	}
	if p.MovesDraw() && o.IsLottery() && !now.Before(*o.ApplicationsOpenAt) {
		at := o.ApplicationsOpenAt.In(CityZone).Format("2006-01-02 15:04")
		return o, apperr.New(apperr.Conflict,
			"申请已于 "+at+" 开始，申请时间和抽签时间不能再修改",
			"Applications opened at "+at+"; the application window and draw time can no longer be changed")
	}
	var v apperr.Validation
	// Only what is sent is checked: an edit of the capacity is not refused
	// for a title stored before today's rules.
	if p.Title != nil {
		o.Title = TitleText.Check(&v, *p.Title)
	}
	if p.Description != nil {
		o.Description = DescriptionText.Check(&v, *p.Description)
	}
	if p.Capacity != nil {
		checkCapacity(&v, *p.Capacity)
		o.Capacity = *p.Capacity
	}
	if p.BookingOpensAt != nil {
		o.BookingOpensAt = *p.BookingOpensAt
	}
	if p.BookingClosesAt != nil {
		o.BookingClosesAt = *p.BookingClosesAt
	}
	if p.BookingOpensAt != nil || p.BookingClosesAt != nil {
		start, _ := ParseDate(o.StartsOn)
		checkWindow(&v, o.BookingOpensAt, o.BookingClosesAt, start)
	}
	if p.MovesDraw() && !o.IsLottery() {
		v.Add("applications_open_at", "先到先得的项目没有申请期和抽签时间", "a first-come offering has no application window or draw time")
	}
	if o.IsLottery() && (p.MovesDraw() || p.BookingOpensAt != nil) {
		// New pointers: the offering as read shares the old ones.
		for _, set := range []struct {
			to   *time.Time
			into **time.Time
		}{{p.ApplicationsOpenAt, &o.ApplicationsOpenAt},
			{p.ApplicationsCloseAt, &o.ApplicationsCloseAt}, {p.DrawAt, &o.DrawAt}} {
			if set.to != nil {
				t := *set.to
				*set.into = &t
			}
		}
		checkLottery(&v, o, now)
	}
	if p.Status != nil {
		switch to := *p.Status; {
		case to == o.Status:
		case to == OfferingPublished && (o.Status == OfferingDraft || o.Status == OfferingClosed),
			to == OfferingClosed && o.Status == OfferingPublished:
			o.Status = to
		case to == OfferingPublished || to == OfferingClosed:
			v.Add("status", "不能从 "+string(o.Status)+" 改为 "+string(to), "cannot change status from "+string(o.Status)+" to "+string(to))
		default:
			v.Add("status", "status 只能改为 published 或 closed（取消请用取消接口）", "status can be set to published or closed (cancel has its own route)")
		}
	}
	if err := v.Err(); err != nil {
		return o, err
	}
	return o, nil
}
