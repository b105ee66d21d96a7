// Package draws runs a lottery offering's draw (contract part 2, "Lottery
// offerings") in four stages, each written on condition of the one before,
// so that whoever runs it (the scheduled DrawsFunction, staff by hand, or
// both at once) and however often it is killed and run again, it ends with
// one result and no duplicate offer:
//
//  1. close: at or after applications_close_at, the tickets of every
//     application still in the draw are fixed, sorted, with their digest;
//  2. draw: once the beacon's round is published, its randomness and the
//     seed are recorded (the results are then a pure function of what is
//     stored: lottery.Draw);
//  3. allocate: in rank order, a few applications a transaction, ranks
//     1..places get an offered booking, the rest a waitlisted one whose place
//     in line is its rank (or not_drawn when the waitlist is off); an
//     application whose booking breaks a rule by now (the term limit, a
//     booking already held) is not_drawn with the reason, and the next rank
//     takes its place; the draw's progress moves in the same transaction;
//  4. done: the draw is drawn, the offering may be booked first come from
//     booking_opens_at, and the city's bus hears of it.
package draws

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// BatchSize is how many ranked applications one transaction writes at
// most: seven items each for a single child, plus the draw's progress and
// the offering's counters, under DynamoDB's 100 items a transaction; a
// batch with sibling groups (five items more a child) is cut shorter by
// its items (batchEnd).
const BatchSize = 12

// Service runs draws.
type Service struct {
	Store  *store.Store
	Beacon beacon.Beacon
	Now    func() time.Time
}

func notReady(zh, en string) error { return apperr.New(apperr.DrawNotReady, zh, en) }

// Run takes offeringID's draw as far as it can go now and returns its
// record. Before the close, or before the beacon's round is out, it is 409
// draw_not_ready (the close may have been done by then); once drawn, it
// returns the record as it is, so running it again gives the same result.
func (s *Service) Run(ctx context.Context, offeringID string) (store.DrawRecord, error) {
	o, err := s.Store.GetOffering(ctx, offeringID)
	if err != nil {
		return store.DrawRecord{}, err
	}
	if !o.IsLottery() {
		return store.DrawRecord{}, domain.NotFound("draw")
	}
	if o.RoundID != "" {
		// A round's member is drawn with its round (shared/rounds).
		return store.DrawRecord{}, apperr.New(apperr.Conflict, "该项目随所在轮次一同抽签（/v1/rounds/"+o.RoundID+"/draw）",
			"this offering is drawn with its round (/v1/rounds/"+o.RoundID+"/draw)")
	}
	if o.Status == domain.OfferingCancelled {
		// No draw for a cancelled offering: it leaves the draws due (a draw
		// already done stays as it was).
		if err := s.Store.DropDrawDue(ctx, offeringID); err != nil {
			return store.DrawRecord{}, err
		}
		return store.DrawRecord{}, notReady("项目已取消，不再抽签", "the offering is cancelled; there is no draw")
	}
	for {
		r, err := s.Store.GetDraw(ctx, offeringID)
		if err != nil {
			return r, err
		}
		switch r.Status {
		case store.DrawDone:
			return r, nil
		case store.DrawCommitted:
			err = s.close(ctx, o, r)
		case store.DrawClosed:
			err = s.draw(ctx, o, r)
		case store.DrawDrawing:
			err = s.allocate(ctx, o, r)
		default:
			return r, apperr.Unexpected(errors.New("draw " + offeringID + ": unknown status " + r.Status))
		}
		// Another run moved the draw on meanwhile: carry on from there.
		if err != nil && !errors.Is(err, store.ErrDrawMoved) {
			return r, err
		}
	}
}

func (s *Service) close(ctx context.Context, o domain.Offering, r store.DrawRecord) error {
	if o.ApplicationsCloseAt == nil || s.Now().Before(*o.ApplicationsCloseAt) {
		return notReady("申请尚未截止，不能抽签", "applications are not closed yet; the draw cannot run")
	}
	entries, err := s.Store.ApplicationEntries(ctx, o.ID)
	if err != nil {
		return err
	}
	// Tiers come from the claims confirmed by the close under the policy in
	// force at applications_close_at (claims cannot change after it).
	policy, err := s.policyInForce(ctx, o)
	if err != nil {
		return err
	}
	tierOf := make(map[string]int, len(entries))
	tickets := make([]string, len(entries))
	for i, a := range entries {
		tickets[i] = lottery.Ticket(o.ID, a.ID)
		tierOf[tickets[i]], _ = domain.TierAt(policy, a, o.ID)
	}
	sort.Strings(tickets)
	if policy == nil {
		return s.Store.CloseDraw(ctx, o.ID, tickets, lottery.ApplicantsDigest(tickets))
	}
	tiers := make([]int, len(tickets))
	for i, t := range tickets {
		tiers[i] = tierOf[t]
	}
	return s.Store.CloseDrawTiers(ctx, o.ID, tickets, tiers, lottery.ApplicantsDigest(tickets), policy.Version)
}

// policyInForce is the priority policy in force for o's kind when its
// applications closed, or nil when there was none.
func (s *Service) policyInForce(ctx context.Context, o domain.Offering) (*domain.PriorityPolicy, error) {
	p, err := s.Store.PolicyInForce(ctx, o.Kind, *o.ApplicationsCloseAt)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// policyOf is the policy version a draw record names, or nil for none.
func (s *Service) policyOf(ctx context.Context, o domain.Offering, r store.DrawRecord) (*domain.PriorityPolicy, error) {
	if r.PolicyVersion == 0 {
		return nil, nil
	}
	p, err := s.Store.PolicyVersion(ctx, o.Kind, r.PolicyVersion)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Service) draw(ctx context.Context, o domain.Offering, r store.DrawRecord) error {
	randomness, err := Randomness(ctx, s.Beacon, r.BeaconRound)
	if err != nil {
		return err
	}
	return s.Store.StartDrawing(ctx, o.ID, randomness, lottery.Seed(r.Secret, r.ApplicantsDigest, randomness), o.Available(), s.Now())
}

// Document is the draw's public document as stored so far: the commitment
// and beacon round; after the close the digest and tickets (still
// committed: the contract has two statuses); once drawn everything, the
// results recomputed by lottery.Draw from what is stored.
func (s *Service) Document(ctx context.Context, offeringID string) (lottery.Document, error) {
	r, err := s.Store.GetDraw(ctx, offeringID)
	if err != nil {
		return lottery.Document{}, err
	}
	return s.document(ctx, r)
}

func (s *Service) document(ctx context.Context, r store.DrawRecord) (lottery.Document, error) {
	doc := lottery.Document{
		Algorithm: lottery.Algorithm, Status: lottery.StatusCommitted, Commitment: r.Commitment,
		Beacon: lottery.Beacon{Source: r.BeaconSource, Round: r.BeaconRound}, OfferingID: r.OfferingID,
	}
	if r.Status == store.DrawCommitted {
		return doc, nil
	}
	tickets, tiers, err := s.Store.DrawTicketTiers(ctx, r)
	if err != nil {
		return doc, err
	}
	doc.ApplicantsDigest, doc.Tickets, doc.PolicyVersion = r.ApplicantsDigest, tickets, r.PolicyVersion
	if tiers != nil {
		doc.Tiers = make(map[string]int, len(tickets))
		for i, t := range tickets {
			doc.Tiers[t] = tiers[i]
		}
	}
	if r.Status != store.DrawDone {
		return doc, nil
	}
	doc.Status, doc.Secret, doc.Seed, doc.Beacon.Randomness = lottery.StatusDrawn, r.Secret, r.Seed, r.Randomness
	if doc.Results, err = lottery.Draw(doc); err != nil {
		return doc, apperr.Unexpected(err) // what is stored no longer draws: a defect
	}
	return doc, nil
}

// Due is what one scheduled run did: the draws due, and of them how many
// are now drawn and how many wait (the close or the beacon's round not yet).
type Due struct{ Due, Drawn, Waiting int }

// RunDue runs every draw whose draw_at has come by at. A draw not ready
// waits for the next run; any other failure is returned after the rest ran.
func (s *Service) RunDue(ctx context.Context, at time.Time) (Due, error) {
	ids, err := s.Store.DueDraws(ctx, at)
	if err != nil {
		return Due{Due: len(ids)}, err
	}
	return RunEach(ctx, ids, func(ctx context.Context, id string) error {
		_, err := s.Run(ctx, id)
		return err
	})
}

// Randomness is the beacon's round, or 409 draw_not_ready while it is not
// published, or 503 when the beacon cannot be reached (a round's draw
// waits for it as an offering's does).
func Randomness(ctx context.Context, b beacon.Beacon, round uint64) (string, error) {
	randomness, err := b.Randomness(ctx, round)
	if errors.Is(err, beacon.ErrNotYet) {
		return "", notReady("信标随机数尚未公布，稍后再抽", "the beacon's round is not published yet; draw again later")
	}
	if err != nil {
		return "", apperr.Wrap(apperr.Unavailable, err, "暂时无法获取信标随机数，请稍后再试", "the beacon cannot be reached just now; try again later")
	}
	return randomness, nil
}

// RunEach runs the draws due (an offering's or a round's) one after
// another: one not ready waits for the next run, any other failure is
// returned after the rest ran.
func RunEach(ctx context.Context, ids []string, run func(context.Context, string) error) (Due, error) {
	res := Due{Due: len(ids)}
	var errs []error
	for _, id := range ids {
		switch err := run(ctx, id); {
		case err == nil:
			res.Drawn++
		case apperr.Is(err, apperr.DrawNotReady):
			res.Waiting++
		default:
			errs = append(errs, err)
			metrics.Count(ctx, metrics.DrawFailures)
		}
	}
	return res, errors.Join(errs...)
}
