package notices

import (
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// texts are the resident's messages, Chinese and English, from a notice's
// facts. The Chinese one is what an SMS carries: the provider adds the
// registered signature (【…】), and one SMS holds 70 characters with it.
var texts = map[Event]func(n Notice) apperr.Text{
	Promoted: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("您候补的「%s」已转为正式名额，%s开始。", n.Title, zhDate(n.FirstSession)),
			EN: fmt.Sprintf("A place came free: your booking of \"%s\" is confirmed. It starts %s.", n.Title, enDate(n.FirstSession)),
		}
	},
	OfferMade: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("「%s」为您保留了一个名额，请在%s前确认，逾期自动让给下一位。", n.Title, zhTime(n.Deadline)),
			EN: fmt.Sprintf("A place in \"%s\" is held for you until %s. Accept it by then or it passes to the next person.", n.Title, enTime(n.Deadline)),
		}
	},
	OfferExpiring: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("提醒：「%s」为您保留的名额将于%s到期，请尽快确认。", n.Title, zhTime(n.Deadline)),
			EN: fmt.Sprintf("Reminder: the place held for you in \"%s\" expires at %s.", n.Title, enTime(n.Deadline)),
		}
	},
	OfferExpired: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("「%s」为您保留的名额已过期，已让给下一位。", n.Title),
			EN: fmt.Sprintf("The place held for you in \"%s\" has expired and passed to the next person.", n.Title),
		}
	},
	DrawResult: func(n Notice) apperr.Text {
		switch n.Result {
		case "offered":
			return apperr.Text{
				ZH: fmt.Sprintf("「%s」摇号结果：您已中签，请在%s前确认。", n.Title, zhTime(n.Deadline)),
				EN: fmt.Sprintf("Draw for \"%s\": you are offered a place; accept it by %s.", n.Title, enTime(n.Deadline)),
			}
		case "waitlisted":
			return apperr.Text{
				ZH: fmt.Sprintf("「%s」摇号结果：您排在候补第%d位。", n.Title, n.Rank),
				EN: fmt.Sprintf("Draw for \"%s\": you are number %d on the waitlist.", n.Title, n.Rank),
			}
		default:
			return apperr.Text{
				ZH: fmt.Sprintf("「%s」摇号结果：很遗憾，您未中签。", n.Title),
				EN: fmt.Sprintf("Draw for \"%s\": you were not drawn this time.", n.Title),
			}
		}
	},
	OfferingCancelled: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("很抱歉，「%s」已被机构取消，您的报名随之取消。", n.Title),
			EN: fmt.Sprintf("Sorry: the centre has cancelled \"%s\", and your booking with it.", n.Title),
		}
	},
	Reminder: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("提醒：「%s」明天（%s）开始，请准时参加。", n.Title, zhDate(n.FirstSession)),
			EN: fmt.Sprintf("Reminder: \"%s\" starts tomorrow, %s.", n.Title, enDate(n.FirstSession)),
		}
	},
	NoShowBlocked: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("因「%s」多次无故缺席，本学期暂停报名同类项目。", n.Title),
			EN: fmt.Sprintf("After repeated unexcused absences from \"%s\", booking this kind is paused for the term.", n.Title),
		}
	},
	VerifiedElsewhere: func(n Notice) apperr.Text {
		return apperr.Text{
			ZH: fmt.Sprintf("「%s」的报名已取消：该身份已在另一账户核验。", n.Title),
			EN: fmt.Sprintf("Your booking of \"%s\" was cancelled: this identity was verified for another account.", n.Title),
		}
	},
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
