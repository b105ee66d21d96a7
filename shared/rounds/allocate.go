package rounds

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/placement"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Placed is the round's placement as the stored draw decides it: a pure
// function of the close's tickets, the seed and each member's places.
type Placed struct {
	// Units in round number order (the round document's results).
	Units []store.RoundTicket
	// Numbers by ticket.
	Numbers map[string]string
	// Rank[offering][application] is the unit's rank among those who chose
	// the offering: by tier there, then number, then ticket.
	Rank    map[string]map[string]int
	Outcome placement.Outcome
}

// Place decides the round's placement from what its draw stored.
func Place(tickets []store.RoundTicket, seed string, places map[string]int) (Placed, error) {
	p := Placed{Numbers: make(map[string]string, len(tickets)), Rank: map[string]map[string]int{}}
	type chooser struct {
		tier           int
		number, ticket string
		app            string
	}
	at := map[string][]chooser{}
	in := placement.Instance{Rank: p.Rank}
	for _, t := range tickets {
		num, err := lottery.Number(seed, t.Ticket)
		if err != nil {
			return p, apperr.Unexpected(err)
		}
		p.Numbers[t.Ticket] = num
		u := placement.Unit{ID: t.ApplicationID, Size: t.Size}
		for _, c := range t.Choices {
			u.Choices = append(u.Choices, c.OfferingID)
			at[c.OfferingID] = append(at[c.OfferingID], chooser{c.Tier, num, t.Ticket, t.ApplicationID})
		}
		in.Units = append(in.Units, u)
	}
	for _, id := range slices.Sorted(maps.Keys(places)) {
		in.Offerings = append(in.Offerings, placement.Offering{ID: id, Capacity: places[id]})
		cs := at[id]
		slices.SortFunc(cs, func(a, b chooser) int {
			return cmp.Or(cmp.Compare(a.tier, b.tier), cmp.Compare(a.number, b.number), cmp.Compare(a.ticket, b.ticket))
		})
		p.Rank[id] = make(map[string]int, len(cs))
		for i, c := range cs {
			p.Rank[id][c.app] = i + 1
		}
	}
	var err error
	if p.Outcome, err = placement.DeferredAcceptance(in); err != nil {
		return p, apperr.Unexpected(err)
	}
	p.Units = slices.Clone(tickets)
	slices.SortFunc(p.Units, func(a, b store.RoundTicket) int {
		return cmp.Or(cmp.Compare(p.Numbers[a.Ticket], p.Numbers[b.Ticket]), cmp.Compare(a.Ticket, b.Ticket))
	})
	return p, nil
}

// allocate writes every unit not yet written, batch by batch from the
// record's progress, then finishes the round.
func (s *Service) allocate(ctx context.Context, r domain.Round, d store.RoundDraw) error {
	tickets, err := s.Store.RoundTickets(ctx, d)
	if err != nil {
		return err
	}
	placed, err := Place(tickets, d.Seed, d.MemberPlaces)
	if err != nil {
		return err
	}
	members, err := s.members(ctx, r)
	if err != nil {
		return err
	}
	apps, err := s.applicants(ctx, r)
	if err != nil {
		return err
	}
	drawing, err := time.Parse(time.RFC3339Nano, d.DrawingAt)
	if err != nil {
		return apperr.Unexpected(err)
	}
	pl := planner{round: r, draw: d, placed: placed, members: members, apps: apps, refused: map[string]string{}, skip: map[string]bool{}}
	for d.Allocated < len(placed.Units) {
		now := s.Now()
		var batch []store.RoundPlace
		items := 0
		for i := d.Allocated; i < len(placed.Units); i++ {
			p := pl.place(placed.Units[i], drawing, now)
			if len(batch) > 0 && items+p.RoundItems() > store.RoundBatchItems {
				break
			}
			batch, items = append(batch, p), items+p.RoundItems()
		}
		err := s.Store.WriteRoundAllocation(ctx, d, members, batch, now)
		if rr, ok := errors.AsType[*store.RoundRefused](err); ok {
			// Plan the batch again without what was refused: nothing of it
			// landed, and a run after this one finds the same again.
			p := batch[rr.Index]
			if rr.Skip {
				pl.skip[p.Application.ID] = true
			} else {
				pl.refused[p.Application.ID+"|"+p.Bookings[rr.Booking].OfferingID] = rr.Reason
			}
			continue
		}
		if err != nil {
			return err
		}
		d.Allocated += len(batch)
	}
	// A place whose booking a rule refused is free: it goes down the
	// offering's line as any freed place does. (Deferred acceptance leaves
	// no other place free that someone waiting fits.)
	for _, id := range r.OfferingIDs {
		if err := s.handOn(ctx, id); err != nil {
			return err
		}
	}
	applicants := map[string]int{}
	for _, t := range tickets {
		for _, c := range t.Choices {
			applicants[c.OfferingID]++
		}
	}
	var published []notices.Notice
	for _, id := range r.OfferingIDs {
		published = append(published, notices.Notice{ID: "ntc_draw_published_" + id, Event: notices.DrawPublished, At: s.Now()}.OfOffering(members[id]))
	}
	return s.Store.FinishRound(ctx, d, r, applicants, published, s.Now())
}

// ReasonCancelled is why a choice of an offering cancelled since the round
// began gives nothing.
const ReasonCancelled = "该项目已取消 / the offering was cancelled"

// planner turns the placement into what is written for each unit.
type planner struct {
	round   domain.Round
	draw    store.RoundDraw
	placed  Placed
	members map[string]domain.Offering
	apps    map[string]*applicant
	// refused: "<application>|<offering>" → why its bookings there were
	// refused by a rule at write time; skip: applications no longer applied.
	refused map[string]string
	skip    map[string]bool
}

// child is one person a unit places.
type child struct {
	id, name, identity, birth, last4 string
}

// place is unit t's outcome: an offer at the choice it holds (each child
// its own booking, deadline drawing_at + offer_hours), a waitlisted
// booking at each choice above it (stamp = its rank there; none where the
// waitlist is off), not_reached below; a choice whose booking a rule
// refused is not_drawn with the reason.
func (pl *planner) place(t store.RoundTicket, drawing, now time.Time) store.RoundPlace {
	a, ok := pl.apps[t.ApplicationID]
	if !ok || pl.skip[t.ApplicationID] {
		return store.RoundPlace{Skip: true}
	}
	e := a.entry
	p := store.RoundPlace{Application: e, Number: pl.placed.Numbers[t.Ticket], PolicyVersion: pl.draw.PolicyVersion}
	children := []child{{e.ParticipantID, e.Participant.Name, e.Identity, e.BirthDate, e.IDNumberLast4}}
	for _, sib := range e.Siblings {
		children = append(children, child{sib.ParticipantID, sib.Name, sib.Identity, sib.BirthDate, sib.IDNumberLast4})
	}
	held := pl.placed.Outcome.Placed[t.ApplicationID]
	heldAt := len(t.Choices)
	for k, c := range t.Choices {
		if c.OfferingID == held {
			heldAt = k
		}
	}
	noticeAt, offered, waiting := t.Choices[0].OfferingID, false, false
	for k, c := range t.Choices {
		o := pl.members[c.OfferingID]
		ch := domain.Choice{
			Preference: k + 1, OfferingID: o.ID, Tier: c.Tier, TierCode: c.TierCode, Rank: pl.placed.Rank[o.ID][t.ApplicationID],
			Offering: domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
		}
		var status domain.BookingStatus
		switch {
		case k > heldAt:
			ch.Result = domain.ChoiceNotReached
		case o.Status == domain.OfferingCancelled:
			ch.Result = domain.ChoiceNotDrawn
			if p.Reason == "" {
				p.Reason = ReasonCancelled
			}
		case pl.refused[t.ApplicationID+"|"+o.ID] != "":
			ch.Result = domain.ChoiceNotDrawn
			if p.Reason == "" {
				p.Reason = pl.refused[t.ApplicationID+"|"+o.ID]
			}
		case k == heldAt:
			ch.Result, status = domain.ChoiceOffered, domain.BookingOffered
		case o.WaitlistEnabled:
			ch.Result, status = domain.ChoiceWaitlisted, domain.BookingWaitlisted
			ch.WaitlistPosition = pl.position(o.ID, t.ApplicationID)
		default:
			ch.Result = domain.ChoiceNotDrawn
		}
		if status != "" {
			deadline := drawing.Add(time.Duration(o.OfferHours) * time.Hour)
			for _, kid := range children {
				b := domain.Booking{
					ID: domain.NewID("bkg", now), OfferingID: o.ID, Offering: ch.Offering,
					ParticipantID: kid.id, Participant: domain.BookedParticipant{Name: kid.name},
					Status: status, CreatedAt: now, UpdatedAt: now, Account: e.Account, Identity: kid.identity, Term: o.Term,
					BirthDate: kid.birth, IDNumberLast4: kid.last4, OfferHours: o.OfferHours,
					// Its rank at the offering orders the line, ahead of any
					// first-come waiter (stamped in nanoseconds).
					Stamp: int64(ch.Rank), RoundID: pl.round.ID, Preference: k + 1,
				}
				if len(children) > 1 {
					b.Group = e.ID
				}
				if status == domain.BookingOffered {
					b.OfferExpiresAt = &deadline
				}
				p.Bookings = append(p.Bookings, b)
				ch.BookingIDs = append(ch.BookingIDs, b.ID)
			}
			if status == domain.BookingOffered {
				offered, noticeAt = true, o.ID
			} else {
				waiting = true
			}
		}
		p.Choices = append(p.Choices, ch)
	}
	switch {
	case offered:
		p.Status, p.Reason = domain.ApplicationOffered, "" // the reason is for an application given nothing
	case waiting:
		p.Status, p.Reason = domain.ApplicationWaitlisted, ""
	default:
		p.Status = domain.ApplicationNotDrawn
	}
	p.Rank = pl.placed.Rank[noticeAt][t.ApplicationID]
	o := pl.members[noticeAt]
	nt := notices.Notice{ID: "ntc_draw_" + e.ID, Event: notices.DrawResult, At: now, Result: string(p.Status), Rank: p.Rank}.OfOffering(o)
	nt.Account = e.Account
	for _, b := range p.Bookings {
		if b.Status == domain.BookingOffered && b.ParticipantID == e.ParticipantID {
			nt.Deadline, nt.BookingID = *b.OfferExpiresAt, b.ID
		}
	}
	p.Notice = nt
	return p
}

// position is the unit's place in offering's line at the draw: one after
// every child of the units waiting ahead of it.
func (pl *planner) position(offeringID, app string) int {
	pos := 1
	for _, u := range pl.placed.Outcome.Waitlists[offeringID] {
		if u == app {
			return pos
		}
		if a, ok := pl.apps[u]; ok {
			pos += a.entry.Size()
		} else {
			pos++
		}
	}
	return pos
}

// handOn offers offeringID's places left free to the head of its line
// (allocation.Resize: each unit in order, a group only when it fits), read
// again and retried when the offering moves meanwhile.
func (s *Service) handOn(ctx context.Context, offeringID string) error {
	return retry.Default.Do(ctx, func(int) error {
		o, err := s.Store.GetOffering(ctx, offeringID)
		if err != nil || o.Available() == 0 || o.Waitlisted == 0 {
			return err
		}
		line, err := s.Store.Waiters(ctx, offeringID, min(o.Waitlisted, store.MaxPromotionsPerWrite))
		if err != nil {
			return err
		}
		now := s.Now()
		c := allocation.For(o).Resize(o, line, notices.New(notices.Promoted, now).OfOffering(o))
		if len(c.Offer)+len(c.Promote) == 0 {
			return nil
		}
		c.Guard.All = append(c.Guard.All, allocation.Is(allocation.Confirmed, o.Confirmed),
			allocation.Is(allocation.Offered, o.Offered), allocation.Is(allocation.Waitlisted, o.Waitlisted))
		return s.Store.HandOn(ctx, offeringID, c, now)
	})
}
