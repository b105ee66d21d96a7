package draws

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// allocate writes every rank not yet written, batch by batch, from where the
// record's progress says, then finishes the draw.
func (s *Service) allocate(ctx context.Context, o domain.Offering, r store.DrawRecord) error {
	doc, err := s.document(ctx, store.DrawRecord{
		OfferingID: r.OfferingID, Status: store.DrawDone, Commitment: r.Commitment, Secret: r.Secret,
		ApplicantsDigest: r.ApplicantsDigest, Applicants: r.Applicants, TicketChunks: r.TicketChunks, Randomness: r.Randomness,
	})
	if err != nil {
		return err
	}
	entries, err := s.Store.ApplicationEntries(ctx, o.ID)
	if err != nil {
		return err
	}
	policy, err := s.policyOf(ctx, o, r)
	if err != nil {
		return err
	}
	byTicket := make(map[string]domain.Application, len(entries))
	for _, a := range entries {
		byTicket[lottery.Ticket(o.ID, a.ID)] = a
	}
	drawing, err := time.Parse(time.RFC3339Nano, r.DrawingAt)
	if err != nil {
		return apperr.Unexpected(err)
	}
	// Every offer of the draw holds until the same time, counted from the
	// draw stage, whichever run writes it.
	deadline := drawing.Add(time.Duration(o.OfferHours) * time.Hour)
	// refused holds, by ticket, what a write found since this run began:
	// a reason it is not drawn, or "" to skip it (no longer applied). A run
	// after this one finds the same again, as nothing of the batch landed.
	refused := map[string]*store.PlaceRefused{}
	for r.Allocated < len(doc.Results) {
		now := s.Now()
		batch := doc.Results[r.Allocated:batchEnd(doc.Results, r.Allocated, byTicket)]
		places, offered := plan(o, batch, byTicket, refused, r.Places-r.Offers, deadline, now)
		waiting := explainPlaces(o, places, policy, r.PolicyVersion, r.Waitlisted)
		err := s.Store.WriteAllocation(ctx, o, r, places, now)
		if pr, ok := errors.AsType[*store.PlaceRefused](err); ok {
			refused[batch[pr.Index].Ticket] = pr
			continue
		}
		if err != nil {
			return err
		}
		r.Allocated += len(batch)
		r.Offers += offered
		r.Waitlisted += waiting
	}
	published := notices.Notice{ID: "ntc_draw_published_" + o.ID, Event: notices.DrawPublished, At: s.Now()}.OfOffering(o)
	return s.Store.FinishDraw(ctx, r, published, s.Now())
}

// batchEnd is where the batch from from ends: at most BatchSize ranks, and
// no more items than one transaction holds beside the draw's progress and
// the offering's counters (a sibling group's place writes a booking per
// child).
func batchEnd(results []lottery.Result, from int, byTicket map[string]domain.Application) int {
	items, end := 0, from
	for end < len(results) && end-from < BatchSize {
		k := 1
		if a, ok := byTicket[results[end].Ticket]; ok {
			k = a.Size()
		}
		if items+store.DrawPlaceItems(k) > store.DrawBatchItems && end > from {
			break
		}
		items += store.DrawPlaceItems(k)
		end++
	}
	return end
}

// plan decides a batch's places: in rank order, a unit (the participant
// and any siblings applying with them: issue 14) is offered places for all
// its children while that many are left, else it waits whole (its
// bookings share its rank as their stamp and its application id as their
// group) or is not drawn when the waitlist is off; a smaller unit after it
// may still take the places left. A place refused before (any child's
// booking broke a rule) is not drawn with its reason, the whole unit, or
// skipped. It returns the places and how many places the offers take.
func plan(o domain.Offering, batch []lottery.Result, byTicket map[string]domain.Application,
	refused map[string]*store.PlaceRefused, left int, deadline, now time.Time) ([]store.DrawPlace, int) {
	places := make([]store.DrawPlace, len(batch))
	offered := 0
	for i, res := range batch {
		a, ok := byTicket[res.Ticket]
		p := store.DrawPlace{Application: a, Rank: res.Rank, Number: res.Number}
		pr := refused[res.Ticket]
		switch {
		case !ok || pr != nil && pr.Skip:
			// Its entry is gone (withdrawn as the window closed): nothing
			// to write, and its rank gives no place.
			p.Skip = true
			places[i] = p
			continue
		case pr != nil:
			p.Status, p.Reason = domain.ApplicationNotDrawn, pr.Reason
		case offered+a.Size() <= left:
			p.Status = domain.ApplicationOffered
			offered += a.Size()
		case o.WaitlistEnabled:
			p.Status = domain.ApplicationWaitlisted
		default:
			p.Status = domain.ApplicationNotDrawn
		}
		nt := notices.Notice{ID: "ntc_draw_" + a.ID, Event: notices.DrawResult, At: now, Result: string(p.Status), Rank: res.Rank}.OfOffering(o)
		nt.Account = a.Account
		if p.Status != domain.ApplicationNotDrawn {
			b := domain.Booking{
				ID: domain.NewID("bkg", now), OfferingID: o.ID,
				Offering:      domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
				ParticipantID: a.ParticipantID, Participant: a.Participant,
				Status:    domain.BookingWaitlisted,
				CreatedAt: now, UpdatedAt: now, Account: a.Account, Identity: a.Identity, Term: o.Term,
				BirthDate: a.BirthDate, IDNumberLast4: a.IDNumberLast4, OfferHours: o.OfferHours,
				// The rank is the line's order: ahead of any first-come
				// waiter, whose stamp is a time in nanoseconds.
				Stamp: int64(res.Rank),
			}
			if p.Status == domain.ApplicationOffered {
				b.Status, b.OfferExpiresAt = domain.BookingOffered, &deadline
				nt.Deadline = deadline
			}
			if len(a.Siblings) > 0 {
				// One group: offered together or waiting together at one
				// place in line (allocation's groups.go).
				b.Group = a.ID
			}
			for _, sib := range a.Siblings {
				sb := b
				sb.ID = domain.NewID("bkg", now)
				sb.ParticipantID, sb.Participant = sib.ParticipantID, domain.BookedParticipant{Name: sib.Name}
				sb.Identity, sb.BirthDate, sb.IDNumberLast4 = sib.Identity, sib.BirthDate, sib.IDNumberLast4
				p.Siblings = append(p.Siblings, sb)
			}
			p.Booking, nt.BookingID = &b, b.ID
		}
		p.Notice = nt
		places[i] = p
	}
	return places, offered
}

// explainPlaces gives each place of a batch what its explanation needs:
// its tier and the claim that set it, the policy version, and when
// waitlisted its place in line at the draw (after the waitlisted before
// the batch). It returns how many bookings of the batch wait.
func explainPlaces(o domain.Offering, places []store.DrawPlace, policy *domain.PriorityPolicy, version, waitlistedBefore int) int {
	waiting := 0
	for i := range places {
		p := &places[i]
		if p.Skip {
			continue
		}
		p.Tier, p.TierCode = domain.TierAt(policy, p.Application, o.ID)
		p.PolicyVersion = version
		if p.Status == domain.ApplicationWaitlisted {
			// The line counts bookings: a sibling group stands at the
			// place of its first child and takes one per child.
			p.Position = waitlistedBefore + waiting + 1
			waiting += p.Application.Size()
		}
	}
	return waiting
}
