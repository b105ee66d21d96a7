package cityfigures

import (
	"cmp"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// ApplicationDemand is the demand that lottery offerings of one kind in one
// district measure by their applications: how many apply for each place.
type ApplicationDemand struct {
	Kind     domain.Kind     `json:"kind"`
	District domain.District `json:"district"`
	// Offerings and Capacity are the lottery offerings in service and
	// their places; Applicants are their applications in the draw (not
	// withdrawn).
	Offerings  int `json:"offerings"`
	Capacity   int `json:"capacity"`
	Applicants int `json:"applicants"`
	// ApplicantsPerPlace is Applicants / Capacity.
	ApplicantsPerPlace float64 `json:"applicants_per_place"`
	// ApplicantsByTier counts the applicants of the offerings whose
	// applications have closed by the priority tier the close gave them
	// (tier number → count; absent until one has closed).
	ApplicantsByTier map[string]int `json:"applicants_by_tier,omitempty"`
}

// LotteryApplicants is one lottery offering's applicants by tier, once its
// applications have closed.
type LotteryApplicants struct {
	OfferingID       string          `json:"offering_id"`
	Title            string          `json:"title"`
	Kind             domain.Kind     `json:"kind"`
	District         domain.District `json:"district"`
	Applicants       int             `json:"applicants"`
	ApplicantsByTier map[string]int  `json:"applicants_by_tier"`
}

// Applications is the demand lottery offerings measure, in total (Kind and
// District empty) and by kind and district, most applicants per place first.
type Applications struct {
	Total          ApplicationDemand   `json:"total"`
	ByKindDistrict []ApplicationDemand `json:"by_kind_district"`
	// ByTier lists each lottery offering in service whose applications
	// have closed, with its applicants by tier.
	ByTier []LotteryApplicants `json:"by_tier"`
	// CountedAt is when the oldest count of an undrawn lottery's
	// applications in these figures was made (the scheduled job counts
	// them every minute); absent when every count is a drawn one's.
	CountedAt *time.Time `json:"counted_at,omitempty"`
}

// ApplicationsOf sums the applicants (applicants: by offering id) of the
// lottery offerings in service on date.
func ApplicationsOf(offerings []domain.Offering, date string, applicants map[string]int) Applications {
	type slice struct {
		k domain.Kind
		d domain.District
	}
	by := map[slice]*ApplicationDemand{}
	total := ApplicationDemand{}
	for _, o := range offerings {
		if !o.IsLottery() || !InService(o, date) || !o.Kind.Valid() {
			continue
		}
		s := slice{o.Kind, o.Centre.District}
		if by[s] == nil {
			by[s] = &ApplicationDemand{Kind: o.Kind, District: o.Centre.District}
		}
		for _, a := range []*ApplicationDemand{by[s], &total} {
			a.Offerings++
			a.Capacity += o.Capacity
			a.Applicants += applicants[o.ID]
		}
	}
	out := Applications{ByKindDistrict: []ApplicationDemand{}, ByTier: []LotteryApplicants{}}
	for _, a := range by {
		a.ApplicantsPerPlace = Ratio(a.Applicants, a.Capacity)
		out.ByKindDistrict = append(out.ByKindDistrict, *a)
	}
	slices.SortFunc(out.ByKindDistrict, func(a, b ApplicationDemand) int {
		return cmp.Or(cmp.Compare(b.ApplicantsPerPlace, a.ApplicantsPerPlace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.District, b.District))
	})
	total.ApplicantsPerPlace = Ratio(total.Applicants, total.Capacity)
	out.Total = total
	return out
}

// AddTiers adds the tier counts of the closed lottery offerings in service
// on date (tiers: by offering id, tier number → count, as the draws' close
// recorded them) to a: per offering, per kind and district, and in total.
func (a *Applications) AddTiers(offerings []domain.Offering, date string, tiers map[string]map[string]int) {
	for _, o := range offerings {
		counts, ok := tiers[o.ID]
		if !o.IsLottery() || !InService(o, date) || !o.Kind.Valid() || !ok {
			continue
		}
		l := LotteryApplicants{OfferingID: o.ID, Title: o.Title, Kind: o.Kind, District: o.Centre.District, ApplicantsByTier: map[string]int{}}
		for t, n := range counts {
			l.Applicants += n
			l.ApplicantsByTier[t] = n
		}
		a.ByTier = append(a.ByTier, l)
		targets := []*ApplicationDemand{&a.Total}
		for i := range a.ByKindDistrict {
			if a.ByKindDistrict[i].Kind == o.Kind && a.ByKindDistrict[i].District == o.Centre.District {
				targets = append(targets, &a.ByKindDistrict[i])
			}
		}
		for _, d := range targets {
			if d.ApplicantsByTier == nil {
				d.ApplicantsByTier = map[string]int{}
			}
			for t, n := range counts {
				d.ApplicantsByTier[t] += n
			}
		}
	}
	slices.SortFunc(a.ByTier, func(x, y LotteryApplicants) int {
		return cmp.Or(cmp.Compare(y.Applicants, x.Applicants), cmp.Compare(x.OfferingID, y.OfferingID))
	})
}
