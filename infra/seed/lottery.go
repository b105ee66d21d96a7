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

// putLottery writes the demo lottery with its draw record, or finds it
// there; without a beacon there is none. It comes after the city's
// history, created now as staff would create it: its change-ledger entry is
// today's, after the history's last snapshot.
func (r *runner) putLottery(ctx context.Context) error {
	if r.d.Beacon == nil {
		return nil
	}
	var centre domain.Centre
	for _, c := range centres {
		if c.ID == lotterySpec.centre {
			centre = c
		}
	}
	o := lotterySpec.offering(centre, r.cal)
	closes := r.cal.today.AddDate(0, 0, 7).Add(20 * time.Hour)
	draw := r.cal.today.AddDate(0, 0, 8).Add(9 * time.Hour)
	o.Allocation, o.OfferHours = domain.Lottery, domain.DefaultLotteryOfferHours
	o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = &r.cal.opened, &closes, &draw
	o.BookingOpensAt = draw
	if err := r.createLottery(ctx, o); err != nil {
		return err
	}
	r.progress("抽签项目 / lottery offering: %s，申请截止 %s", o.ID, closes.Format("2006-01-02 15:04"))
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
