package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// LotteryCourse is the demo's lottery offering: an evening course so sought
// after that its places are drawn. Applications opened with the other
// courses' booking and close a week from the seed's day at 20:00; the draw
// is the next morning at 09:00, and places left after its offers can be
// booked first come from then.
const LotteryCourse = "o-binhu-ec-lottery"

var lotterySpec = offeringSpec{id: LotteryCourse, centre: "c-binhu-04", kind: ec, title: "城市速写：画无锡（抽签）",
	desc:    "报名人数远超名额，本课程以公开可核验的抽签分配名额：申请期内提交申请，截止后按公布的随机信标统一抽签，先后提交不影响结果。抽中者 48 小时内确认。",
	weekday: time.Tuesday, hours: "19:00–21:00", capacity: 24, fee: 15000}

// SeniorLotteryCourse is the demo's 锡银学堂 lottery: the same window and
// draw time as LotteryCourse, at the Binhu 锡银学堂.
const SeniorLotteryCourse = "o-binhu-sc-lottery"

var seniorLotterySpec = offeringSpec{id: SeniorLotteryCourse, centre: "c-binhu-05", kind: sc, title: "太湖美合唱团（抽签）",
	desc:    "老年合唱团每年最抢手的课程，名额以公开可核验的抽签分配：申请期内提交申请即可，先后不影响结果，截止后统一抽签，抽中者 48 小时内确认。也可请家人或到学堂柜台代为申请。",
	weekday: time.Wednesday, hours: "9:00–11:00", capacity: 30, fee: 0}

// putLottery writes the demo lottery with its draw record, or finds it
// there; without a beacon there is none. It comes after the city's
// history, created now as staff would create it: its change-ledger entry is
// today's, after the history's last snapshot.
func (r *runner) putLottery(ctx context.Context) error {
	if r.d.Beacon == nil {
		return nil
	}
	closes := r.cal.today.AddDate(0, 0, 7).Add(20 * time.Hour)
	draw := r.cal.today.AddDate(0, 0, 8).Add(9 * time.Hour)
	for _, spec := range []offeringSpec{lotterySpec, seniorLotterySpec} {
		var centre domain.Centre
		for _, c := range centres {
			if c.ID == spec.centre {
				centre = c
			}
		}
		o := spec.offering(centre, r.cal)
		o.Allocation, o.OfferHours = domain.Lottery, domain.DefaultLotteryOfferHours
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = &r.cal.opened, &closes, &draw
		o.BookingOpensAt = draw
		if err := r.createLottery(ctx, o); err != nil {
			return err
		}
		r.progress("抽签项目 / lottery offering: %s，申请截止 %s", o.ID, closes.Format("2006-01-02 15:04"))
	}
	return nil
}

// createLottery writes lottery offering o with its draw record, as staff
// creating it would, or finds it there.
func (r *runner) createLottery(ctx context.Context, o domain.Offering) error {
	d, err := centrestaff.NewDraw(r.d.Beacon, o)
	if err != nil {
		return err
	}
	err = r.d.Store.CreateOffering(ctx, o, store.Audit(o.Centre.ID, staffOf(o.Centre.ID), "offering.create", o.ID, nil, o, r.cal.now), d)
	switch {
	case err == nil:
		r.hist.changes++ // its ledger entry, which the history counts on a later run
	case !apperr.Is(err, apperr.Conflict): // Conflict: seeded before
		return fmt.Errorf("lottery %s: %w", o.ID, err)
	}
	return nil
}
