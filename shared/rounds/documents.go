package rounds

import (
	"context"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Document is the round's public draw document: enrol-lottery-v1 over all
// the round's tickets, everyone tier 1, so its results are the round's
// numbers in plain number order.
func (s *Service) Document(ctx context.Context, roundID string) (lottery.Document, error) {
	d, err := s.Store.GetRoundDraw(ctx, roundID)
	if err != nil {
		return lottery.Document{}, err
	}
	doc, _, err := s.document(ctx, d, "")
	return doc, err
}

// OfferingDocument is a member offering's draw document: the round's (the
// same tickets, digest, secret and seed, so every number is the same
// everywhere) with round_id, policy_version, not_chosen_tier and results
// whose tiers are those at this offering; a ticket that did not choose it
// is not_chosen_tier. Its results restricted to the tiers below
// not_chosen_tier are the offering's rank order.
func (s *Service) OfferingDocument(ctx context.Context, roundID, offeringID string) (lottery.Document, error) {
	d, err := s.Store.GetRoundDraw(ctx, roundID)
	if err != nil {
		return lottery.Document{}, err
	}
	doc, _, err := s.document(ctx, d, offeringID)
	return doc, err
}

// document builds the round's document (offeringID "") or a member's, as
// far as the draw has gone, and returns the tickets read.
func (s *Service) document(ctx context.Context, d store.RoundDraw, offeringID string) (lottery.Document, []store.RoundTicket, error) {
	doc := lottery.Document{
		Algorithm: lottery.Algorithm, Status: lottery.StatusCommitted, Commitment: d.Commitment,
		Beacon: lottery.Beacon{Source: d.BeaconSource, Round: d.BeaconRound}, RoundID: d.OfferingID, OfferingID: offeringID,
	}
	if d.Status == store.DrawCommitted {
		return doc, nil, nil
	}
	tickets, err := s.Store.RoundTickets(ctx, d)
	if err != nil {
		return doc, nil, err
	}
	doc.ApplicantsDigest, doc.Tickets = d.ApplicantsDigest, ticketsOf(tickets)
	if offeringID != "" {
		doc.PolicyVersion, doc.NotChosenTier = d.PolicyVersion, d.NotChosenTier
		doc.Tiers = tiersAt(tickets, offeringID, d.NotChosenTier)
	}
	if d.Status != store.DrawDone {
		return doc, tickets, nil
	}
	doc.Status, doc.Secret, doc.Seed, doc.Beacon.Randomness = lottery.StatusDrawn, d.Secret, d.Seed, d.Randomness
	if doc.Results, err = lottery.Draw(doc); err != nil {
		return doc, tickets, apperr.Unexpected(err) // what is stored no longer draws: a defect
	}
	return doc, tickets, nil
}

// tiersAt is each ticket's tier at offeringID: its tier there when it
// chose it, else notChosen.
func tiersAt(tickets []store.RoundTicket, offeringID string, notChosen int) map[string]int {
	out := make(map[string]int, len(tickets))
	for _, t := range tickets {
		out[t.Ticket] = notChosen
		for _, c := range t.Choices {
			if c.OfferingID == offeringID {
				out[t.Ticket] = c.Tier
			}
		}
	}
	return out
}
