package notices

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// texts are the resident's messages, Chinese and English, from a notice's
// facts. The Chinese one is what an SMS carries: the provider adds the
// registered signature (【…】), and one SMS holds 70 characters with it.
var texts = map[Event]func(n Notice) apperr.Text{
	Promoted: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("您候补的「%s」已转为正式名额，%s开始。", short(short(n.Title)), zhDate(n.FirstSession)),
			EN: fmt.Sprintf("A place came free: your booking of \"%s\" is confirmed. It starts %s.", short(short(n.Title)), enDate(n.FirstSession)),
		}
	},
	OfferMade: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("「%s」为您保留了一个名额，请在%s前确认，逾期自动让给下一位。", short(short(n.Title)), zhTime(n.Deadline)),
			EN: fmt.Sprintf("A place in \"%s\" is held for you until %s. Accept it by then or it passes to the next person.", short(short(n.Title)), enTime(n.Deadline)),
		}
	},
	OfferExpiring: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("提醒：「%s」为您保留的名额将于%s到期，请尽快确认。", short(short(n.Title)), zhTime(n.Deadline)),
			EN: fmt.Sprintf("Reminder: the place held for you in \"%s\" expires at %s.", short(short(n.Title)), enTime(n.Deadline)),
		}
	},
	OfferExpired: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("「%s」为您保留的名额已过期，已让给下一位。", short(n.Title)),
			EN: fmt.Sprintf("The place held for you in \"%s\" has expired and passed to the next person.", short(n.Title)),
		}
	},
	DrawResult: func(n Notice) apperr.Text {
		switch n.Result {
		case "offered":
			return apperr.Text{
				ZH: fmt.Sprintf("「%s」摇号结果：您已中签，请在%s前确认。", short(short(n.Title)), zhTime(n.Deadline)),
				EN: fmt.Sprintf("Draw for \"%s\": you are offered a place; accept it by %s.", short(short(n.Title)), enTime(n.Deadline)),
			}
		case "waitlisted":
			return apperr.Text{
				ZH: fmt.Sprintf("「%s」摇号结果：您排在候补第%d位。", short(short(n.Title)), n.Rank),
				EN: fmt.Sprintf("Draw for \"%s\": you are number %d on the waitlist.", short(short(n.Title)), n.Rank),
			}
		default:
			return apperr.Text{
				ZH: fmt.Sprintf("「%s」摇号结果：很遗憾，您未中签。", short(n.Title)),
				EN: fmt.Sprintf("Draw for \"%s\": you were not drawn this time.", short(n.Title)),
			}
		}
	},
	OfferingCancelled: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("很抱歉，「%s」已被机构取消，您的报名随之取消。", short(n.Title)),
			EN: fmt.Sprintf("Sorry: the centre has cancelled \"%s\", and your booking with it.", short(n.Title)),
		}
	},
	Reminder: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("提醒：「%s」明天（%s）开始，请准时参加。", short(short(n.Title)), zhDate(n.FirstSession)),
			EN: fmt.Sprintf("Reminder: \"%s\" starts tomorrow, %s.", short(short(n.Title)), enDate(n.FirstSession)),
		}
	},
	NoShowBlocked: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("因「%s」多次无故缺席，本学期暂停报名同类项目。", short(n.Title)),
			EN: fmt.Sprintf("After repeated unexcused absences from \"%s\", booking this kind is paused for the term.", short(n.Title)),
		}
	},
	VerifiedElsewhere: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("「%s」的报名已取消：该身份已在另一账户核验。", short(n.Title)),
			EN: fmt.Sprintf("Your booking of \"%s\" was cancelled: this identity was verified for another account.", short(n.Title)),
		}
	},
	AssistedAtCounter: func(n Notice) apperr.Text {
		call, callEN := "请致电"+n.CentrePhone, "Call "+n.CentrePhone
		if n.CentrePhone == "" {
			call, callEN = "请联系该机构", "Contact the centre"
		}
		// The number is what lets them object, so the centre's name
		// gives way to it: whatever is left of one SMS.
		rest := "工作人员正在柜台用本手机号为您办理报名。如非本人同意，" + call + "。"
		return apperr.Text{
			ZH: fit(n.CentreName, SMSLimit-utf8.RuneCountInString(rest)) + rest,
			EN: fmt.Sprintf("Staff at %s are booking for you at the counter with this number. Not you? %s.", n.CentreName, callEN),
		}
	},
}

// SMSLimit is how many characters of Chinese text one SMS carries, with
// the provider's signature (【…】, up to 8) taken off its 70.
const SMSLimit = 62

// titleLimit keeps the longest text within SMSLimit: a title may be 100
// characters long, the rest of a text at most 42.
const titleLimit = 20

// short is title cut to titleLimit characters, marked where cut.
func short(title string) string { return fit(title, titleLimit) }

// fit is s cut to limit characters, marked where cut.
func fit(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	if limit < 1 {
		return ""
	}
	return string(r[:limit-1]) + "…"
}

// Text is the resident's message for n, and whether n has one.
func (n Notice) Text() (apperr.Text, bool) {
	f := texts[n.Event]
	if f == nil {
		return apperr.Text{}, false
	}
	return f(n), true
}

// zhDate is "12月7日" for 2026-12-07 (the year is plain from context).
func zhDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

func enDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("Mon 2 Jan")
}

// zhTime is "12月7日18:00", in the city's time.
func zhTime(t time.Time) string {
	t = t.In(domain.CityZone)
	return fmt.Sprintf("%d月%d日%s", t.Month(), t.Day(), t.Format("15:04"))
}

func enTime(t time.Time) string { return t.In(domain.CityZone).Format("15:04 Mon 2 Jan") }
