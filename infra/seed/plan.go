package seed

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// plan picks who books each offering, in arrival order. It works from the
// stored offerings and participants, so it picks the same people on every
// run, and it keeps to the booking rules (age on starts_on, the per-term
// limit) so that every planned booking succeeds. The offerings that must
// fill up are served first, then the narrowest age ranges; within a kind a
// cursor goes round the residents so bookings are spread over them.
func (r *runner) plan() (map[string][]domain.Participant, error) {
	pool := map[domain.Kind][]domain.Participant{}
	blocked := blockedResident(r.people).id
	for _, res := range r.people {
		// The demo account stays without bookings; last term's absences
		// block one adult from this term's evening courses.
		if res.account != DemoResident && res.id != blocked {
			pool[res.kind] = append(pool[res.kind], r.participants[res.id])
		}
	}
	order := make([]offeringSpec, 0, len(offerings))
	for _, s := range offerings {
		if s.book > 0 {
			order = append(order, s)
		}
	}
	urgent := func(s offeringSpec) int {
		if s.state == full || s.state == nearlyFull {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(order, func(a, b offeringSpec) int {
		oa, ob := r.offerings[a.id], r.offerings[b.id]
		return cmp.Or(cmp.Compare(urgent(a), urgent(b)),
			cmp.Compare(oa.MaxAgeMonths-oa.MinAgeMonths, ob.MaxAgeMonths-ob.MinAgeMonths))
	})

	held := map[string]int{} // active bookings per identity, kind and term
	cursor := map[domain.Kind]int{}
	plans := map[string][]domain.Participant{}
	for _, s := range order {
		o := r.offerings[s.id]
		ps := pool[o.Kind]
		var picked []domain.Participant
		start := cursor[o.Kind]
		for i := 0; i < len(ps) && len(picked) < s.book; i++ {
			at := (start + i) % len(ps)
			p := ps[at]
			term := p.Identity + "|" + string(o.Kind) + "|" + o.Term
			if domain.CheckAge(o, p) != nil || (o.MaxPerParticipantPerTerm > 0 && held[term] >= o.MaxPerParticipantPerTerm) {
				continue
			}
			held[term]++
			picked = append(picked, p)
			cursor[o.Kind] = (at + 1) % len(ps)
		}
		if len(picked) < s.book {
			return nil, fmt.Errorf("plan: only %d of %d residents can book %s", len(picked), s.book, s.id)
		}
		plans[s.id] = picked
	}
	return plans, nil
}
