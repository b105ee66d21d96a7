package residents

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// MaxSiblings is how many brothers and sisters may apply with a participant
// as one unit (issue 14, "Siblings together").
const MaxSiblings = 3

// Unit is what one application asks beyond its participant: the siblings
// applying with them and the claims to priority tiers, checked. Both the
// offering route and a round's route build it with UnitAndClaims.
type Unit struct {
	Siblings []domain.Sibling
	// SiblingParticipants are the siblings as read (for the eligibility
	// checks at each offering chosen).
	SiblingParticipants []domain.Participant
	Claims              []domain.Claim
}

// CheckUnitShape checks what a request's siblings and claims may be before
// anything is read: at most MaxSiblings siblings, distinct, not the
// participant; at most domain.MaxClaims claims, distinct.
func CheckUnitShape(participantID string, siblingIDs, claims []string) error {
	var v apperr.Validation
	if len(siblingIDs) > MaxSiblings {
		v.Add("siblings", fmt.Sprintf("至多 %d 名兄弟姐妹一同申请", MaxSiblings), fmt.Sprintf("at most %d siblings may apply together", MaxSiblings))
	}
	for i, id := range siblingIDs {
		f := fmt.Sprintf("siblings[%d]", i)
		switch {
		case id == "":
			v.Add(f, "参与人编号不能为空", "a participant id is required")
		case id == participantID:
			v.Add(f, "兄弟姐妹不能是申请的参与人本人", "a sibling cannot be the participant applying")
		case slices.Index(siblingIDs, id) < i:
			v.Add(f, "同一兄弟姐妹列了两次", "the same sibling is listed twice")
		}
	}
	if len(claims) > domain.MaxClaims {
		v.Add("claims", fmt.Sprintf("至多申报 %d 项优先条件", domain.MaxClaims), fmt.Sprintf("at most %d claims", domain.MaxClaims))
	}
	for i, c := range claims {
		if slices.Index(claims, c) < i {
			v.Add("claims", "同一优先条件申报了两次："+c, "the same claim is made twice: "+c)
		}
	}
	return v.Err()
}

// UnitAndClaims reads and checks an application's siblings and claims for
// the offerings it chose (one for a lottery offering, up to three in a
// round; all of one kind): each sibling is one of the account's own
// participants, eligible at every offering chosen as the participant must
// be (domain.Applicable); each claim a claimable code of the kind's
// priority policy in force at now (no policy: no claim can be made),
// becoming one pending claim per offering chosen. Refusals are 422 naming
// the field; a sibling not eligible is the eligibility refusal naming it.
func (s *Service) UnitAndClaims(ctx context.Context, account, participantID string, siblingIDs, claims []string, chosen []domain.Offering, now time.Time) (Unit, error) {
	var u Unit
	if err := CheckUnitShape(participantID, siblingIDs, claims); err != nil {
		return u, err
	}
	for i, id := range siblingIDs {
		p, err := s.Store.GetParticipant(ctx, account, id)
		if apperr.Is(err, apperr.NotFound) {
			var v apperr.Validation
			v.Add(fmt.Sprintf("siblings[%d]", i), "不是本账号登记的参与人", "not a participant of this account")
			return u, v.Err()
		}
		if err != nil {
			return u, err
		}
		for _, o := range chosen {
			if err := domain.Applicable(o, p, now); err != nil {
				if e := apperr.As(err); e.Code == apperr.NotEligible {
					return u, e.With(fmt.Sprintf("siblings[%d]", i), "该兄弟姐妹不符合条件："+o.Title, "this sibling is not eligible: "+o.Title)
				}
				return u, err
			}
		}
		u.SiblingParticipants = append(u.SiblingParticipants, p)
		u.Siblings = append(u.Siblings, domain.Sibling{ParticipantID: p.ID, Name: p.Name, BirthDate: p.BirthDate,
			IDNumberLast4: p.IDNumberLast4, Identity: p.Identity})
	}
	u.Claims = []domain.Claim{}
	if len(claims) == 0 || len(chosen) == 0 {
		return u, nil
	}
	policy, err := s.Store.PolicyInForce(ctx, chosen[0].Kind, now)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return u, err
	}
	var v apperr.Validation
	for _, code := range claims {
		switch {
		case err != nil:
			v.Add("claims", "该类项目没有生效的优先级政策，不能申报优先条件", "no priority policy is in force for this kind: nothing can be claimed")
		case !policy.Claimable(code):
			v.Add("claims", "不是现行优先级政策中可申报的条件："+code, "not a claimable tier of the priority policy in force: "+code)
		}
	}
	if err := v.Err(); err != nil {
		return u, err
	}
	for _, o := range chosen {
		for _, code := range claims {
			u.Claims = append(u.Claims, domain.Claim{Code: code, OfferingID: o.ID, Status: domain.ClaimPending})
		}
	}
	return u, nil
}

// newApplication is the application of participant p with unit u, applying
// at chosen (in order of preference) to lotteryID: the offering itself, or
// the round (its tickets name the round, so the number is the round's).
func newApplication(id, lotteryID, account string, p domain.Participant, u Unit, chosen []domain.Offering, now time.Time) domain.Application {
	first := chosen[0]
	a := domain.Application{
		ID: id, OfferingID: first.ID,
		Offering:      bookedOffering(first),
		ParticipantID: p.ID, Participant: domain.BookedParticipant{Name: p.Name},
		Status: domain.ApplicationApplied, Ticket: lottery.Ticket(lotteryID, id), Tier: 1, CreatedAt: now,
		Account: account, Identity: p.Identity, Term: first.Term, BirthDate: p.BirthDate, IDNumberLast4: p.IDNumberLast4,
		Siblings: u.Siblings, Claims: u.Claims,
	}
	if lotteryID != first.ID {
		a.RoundID = lotteryID
	}
	for i, o := range chosen {
		a.Choices = append(a.Choices, domain.Choice{Preference: i + 1, OfferingID: o.ID, Offering: bookedOffering(o)})
	}
	return a
}

func bookedOffering(o domain.Offering) domain.BookedOffering {
	return domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn}
}
