package domain

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// Rule names a rule that a write checks in its own conditions (so that
// concurrent requests cannot both pass it). The store tags each condition
// with the rule it checks; when DynamoDB refuses the write, Refusal turns
// the rule that failed into the answer. The store knows no text.
type Rule string

// The rules checked in writes.
const (
	// RuleOnePerOffering: a person holds at most one active booking of an offering.
	RuleOnePerOffering Rule = "one_per_offering"
	// RuleTermLimit: at most the offering's max_per_participant_per_term
	// active bookings of one kind a term (Facts.Limit).
	RuleTermLimit Rule = "term_limit"
	// RuleNoShowBlock: too many unexcused absences last term block booking
	// the kind this term (Facts.BlockedUntil, Facts.Absences).
	RuleNoShowBlock Rule = "no_show_block"
	// RuleVerifiedElsewhere: an identity another account verified at a
	// centre is that account's.
	RuleVerifiedElsewhere Rule = "verified_elsewhere"
	// RuleOnceInAccount: an ID number is registered once in an account.
	RuleOnceInAccount Rule = "once_in_account"
	// RuleParticipantLimit: an account holds at most MaxParticipants.
	RuleParticipantLimit Rule = "participant_limit"
	// RuleRegistrationsPerDay: an account registers at most
	// RegistrationsPerDay a day (Facts.Limit; Facts.Next is when the next
	// day starts, Facts.RetryAfter the seconds until then).
	RuleRegistrationsPerDay Rule = "registrations_per_day"
	// RuleNewOfferingID: an offering's id is new.
	RuleNewOfferingID Rule = "new_offering_id"
	// RuleExists: what the request names exists (Facts.What: centre,
	// offering, booking, participant).
	RuleExists Rule = "exists"
	// RuleCursor: a list's cursor is one this list gave out.
	RuleCursor Rule = "cursor"
	// RuleOneApplication: one application per identity and lottery
	// offering, across accounts.
	RuleOneApplication Rule = "one_application"
	// RuleBeforeClose: an application is withdrawn only while the draw's
	// ticket list is still open (the draw is committed, not closed).
	RuleBeforeClose Rule = "before_close"
)

// Facts are what a refusal says besides its rule, from the request or from
// the item whose condition failed.
type Facts struct {
	Limit        int
	BlockedUntil string
	Absences     int
	What         string
	Next         time.Time
	RetryAfter   int
}

// refusals is the one table from a broken rule to its answer.
var refusals = map[Rule]func(Facts) *apperr.Error{
	RuleOnePerOffering: func(Facts) *apperr.Error {
		return apperr.New(apperr.AlreadyBooked, "该参与人已报名此项目", "This participant already holds a booking for this offering")
	},
	RuleTermLimit: func(f Facts) *apperr.Error {
		return apperr.New(apperr.TermLimitReached,
			"该参与人本期同类项目的报名数已达上限（"+strconv.Itoa(f.Limit)+" 个）",
			"This participant has reached the limit of "+strconv.Itoa(f.Limit)+" bookings of this kind this term")
	},
	RuleNoShowBlock: func(f Facts) *apperr.Error {
		e := apperr.New(apperr.NoShowBlocked,
			fmt.Sprintf("上一期有 %d 次无故缺勤，%s 前不能报名此类项目", f.Absences, f.BlockedUntil),
			fmt.Sprintf("%d unexcused absences last term: no bookings of this kind until %s", f.Absences, f.BlockedUntil))
		e.Extra = map[string]any{"blocked_until": f.BlockedUntil}
		return e
	},
	// It names neither the other account nor any offering or centre:
	// whoever asks learns only that someone verified the person.
	RuleVerifiedElsewhere: func(Facts) *apperr.Error {
		return apperr.New(apperr.Conflict,
			"此身份已由其他账号在托育机构核验，如有疑问请联系机构",
			"This person's identity was verified by another account at a centre; ask the centre if this is wrong")
	},
	RuleOnceInAccount: func(Facts) *apperr.Error {
		return apperr.New(apperr.Conflict, "此身份证号已在您的账号中登记", "This ID number is already registered in your account")
	},
	RuleParticipantLimit: func(Facts) *apperr.Error {
		return apperr.New(apperr.ParticipantLimit,
			fmt.Sprintf("每个账号最多登记 %d 名参与人", MaxParticipants),
			fmt.Sprintf("An account can hold at most %d participants", MaxParticipants))
	},
	RuleRegistrationsPerDay: func(f Facts) *apperr.Error {
		e := apperr.New(apperr.TooManyRequests,
			fmt.Sprintf("今天的登记次数已达上限（%d 次），请于 %s 0:00（北京时间）后再试", f.Limit, f.Next.Format("1月2日")),
			fmt.Sprintf("This account has made its %d registrations for today; please try again after 00:00 on %s (Beijing time)", f.Limit, f.Next.Format("2 January")))
		e.RetryAfter = f.RetryAfter
		return e
	},
	RuleNewOfferingID: func(Facts) *apperr.Error {
		return apperr.New(apperr.Conflict, "项目编号已存在", "An offering with this id exists")
	},
	RuleExists: func(f Facts) *apperr.Error {
		zh := map[string]string{"centre": "找不到该机构", "offering": "找不到该项目", "booking": "找不到该报名", "participant": "找不到该参与人", "application": "找不到该申请",
			"claim":         "该申请未在此项目申报这一优先条件（或已撤回、已抽签）",
			"calendar feed": "找不到该日历订阅（地址无效或已撤销）", "draw": "该项目没有抽签（不是抽签项目）"}[f.What]
		return apperr.New(apperr.NotFound, zh, "No such "+f.What)
	},
	RuleOneApplication: func(Facts) *apperr.Error {
		return apperr.New(apperr.AlreadyApplied, "此人已申请该项目（每人每个项目只能申请一次，多个账号也算同一人）",
			"This person has already applied for this offering (one application per person, across accounts)")
	},
	RuleBeforeClose: func(Facts) *apperr.Error {
		return apperr.New(apperr.ApplicationsClosed, "申请已截止，不能再撤回", "Applications have closed; the application can no longer be withdrawn")
	},
	RuleCursor: func(Facts) *apperr.Error {
		return apperr.New(apperr.InvalidRequest, "cursor 无效", "The cursor is not valid").With("cursor", "无效", "not valid")
	},
}

// Refusal is the answer to a request that broke rule r; a rule missing from
// the table is a defect, answered as a 500 that reveals nothing.
func Refusal(r Rule, f Facts) *apperr.Error {
	if make, ok := refusals[r]; ok {
		return make(f)
	}
	return apperr.Unexpected(fmt.Errorf("domain: no refusal for rule %q", r))
}

// Refused is Refusal with no facts.
func Refused(r Rule) *apperr.Error { return Refusal(r, Facts{}) }

// NotFound is the refusal for a missing centre, offering, booking or participant.
func NotFound(what string) *apperr.Error { return Refusal(RuleExists, Facts{What: what}) }
