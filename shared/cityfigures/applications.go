package cityfigures

import (
	"cmp"
	"slices"

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
}

// Applications is the demand lottery offerings measure, in total (Kind and
// District empty) and by kind and district, most applicants per place first.
type Applications struct {
	Total          ApplicationDemand   `json:"total"`
	ByKindDistrict []ApplicationDemand `json:"by_kind_district"`
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
	out := Applications{ByKindDistrict: []ApplicationDemand{}}
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
