package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// DemoRound is the demo's allocation round (issue 14): three childcare
// lotteries at three centres, applications open now (with the demo
// lottery's window), one application per child ranking up to three.
const DemoRound = "rnd-cc-spring-1"

var roundSpecs = []offeringSpec{
	{id: "o-rnd-cc-1", centre: "c-liangxi-01", kind: cc, group: twos, capacity: 10, fee: 158000},
	{id: "o-rnd-cc-2", centre: "c-liangxi-02", kind: cc, group: mixed, capacity: 8, fee: 135000},
	{id: "o-rnd-cc-3", centre: "c-xishan-01", kind: cc, group: toddlers, capacity: 6, fee: 150000},
}

// putRound writes the demo round's offerings (each with its draw record)
// and the round taking them in, or finds them there; without a beacon
// there is none. The round is recorded as made by the demo officer before
// applications opened, as a round must be.
func (r *runner) putRound(ctx context.Context) error {
	if r.d.Beacon == nil {
		return nil
	}
	closes := r.cal.today.AddDate(0, 0, 7).Add(20 * time.Hour)
	draw := r.cal.today.AddDate(0, 0, 8).Add(9 * time.Hour)
	var members []domain.Offering
	for _, spec := range roundSpecs {
		var centre domain.Centre
		for _, c := range centres {
			if c.ID == spec.centre {
				centre = c
			}
		}
		o := spec.offering(centre, r.cal)
		o.Title = "2027 春季普惠托位 · " + o.Title
		o.Allocation, o.OfferHours, o.MaxPerParticipantPerTerm = domain.Lottery, domain.DefaultLotteryOfferHours, 0
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = &r.cal.opened, &closes, &draw
		o.BookingOpensAt = draw
		if err := r.createLottery(ctx, o); err != nil {
			return err
		}
		members = append(members, o)
	}
	if _, err := r.d.Store.GetRound(ctx, DemoRound); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	first := members[0]
	round := domain.Round{ID: DemoRound, TitleZH: "2027 春季普惠托位 第一轮", TitleEN: "2027 spring inclusive childcare, round 1",
		Kind: domain.Childcare, Term: first.Term, MaxChoices: domain.MaxChoices, Status: domain.RoundOpen,
		ApplicationsOpenAt: r.cal.opened, ApplicationsCloseAt: closes, DrawAt: draw,
		CreatedAt: r.cal.opened.Add(-24 * time.Hour), CreatedBy: DemoOfficer}
	for _, o := range members {
		round.OfferingIDs = append(round.OfferingIDs, o.ID)
		round.Offerings = append(round.Offerings, domain.RoundMember{ID: o.ID, Title: o.Title, Centre: o.Centre, Capacity: o.Capacity})
	}
	d, err := centrestaff.NewDraw(r.d.Beacon, first)
	if err != nil {
		return err
	}
	if err := r.d.Store.CreateRound(ctx, round, d, members); err != nil {
		return fmt.Errorf("round %s: %w", DemoRound, err)
	}
	r.progress("招生轮次 / round: %s（%d 个托位项目，申请截止 %s）", DemoRound, len(members), closes.Format("2006-01-02 15:04"))
	return nil
}
