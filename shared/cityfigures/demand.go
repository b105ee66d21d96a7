package cityfigures

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// OfferingDemand is one offering's unmet demand.
type OfferingDemand struct {
	OfferingID string          `json:"offering_id"`
	Title      string          `json:"title"`
	Kind       domain.Kind     `json:"kind"`
	Term       string          `json:"term"`
	CentreID   string          `json:"centre_id"`
	CentreName string          `json:"centre_name"`
	District   domain.District `json:"district"`
	Capacity   int             `json:"capacity"`
	Confirmed  int             `json:"confirmed"`
	Waitlisted int             `json:"waitlisted"`
	// Oversubscription is (confirmed + waitlisted) / capacity: above 1, more
	// people asked than there are places.
	Oversubscription float64    `json:"oversubscription"`
	OpensAt          time.Time  `json:"booking_opens_at"`
	FullAt           *time.Time `json:"full_at,omitempty"`
	// HoursToFull is from booking opening to the last place taken.
	HoursToFull *float64 `json:"hours_to_full,omitempty"`
}

// DistrictDemand sums a district's (or, with District "", the city's) demand.
type DistrictDemand struct {
	District      domain.District `json:"district,omitempty"`
	Offerings     int             `json:"offerings"`
	FullOfferings int             `json:"full_offerings"`
	Capacity      int             `json:"capacity"`
	Confirmed     int             `json:"confirmed"`
	Waitlisted    int             `json:"waitlisted"`
	// MedianHoursToFull is over the offerings that filled; absent if none did.
	MedianHoursToFull *float64 `json:"median_hours_to_full,omitempty"`
	// FilledWithinDay counts offerings full within 24 hours of opening.
	FilledWithinDay int `json:"filled_within_day"`
}

// Demand is unmet demand across the offerings in service on a day.
type Demand struct {
	Total      DistrictDemand   `json:"total"`
	ByDistrict []DistrictDemand `json:"by_district"`
	// Offerings are the in-service offerings, most oversubscribed first.
	Offerings []OfferingDemand `json:"offerings"`
	// Applications are the lottery offerings' applicants per place (the
	// caller counts the applicants: cityoffice.Demand).
	Applications Applications `json:"applications"`
}

// DemandOf measures the demand of the offerings in service on date.
func DemandOf(offerings []domain.Offering, date string) Demand {
	var d Demand
	hours := map[domain.District][]float64{}
	by := map[domain.District]*DistrictDemand{}
	for _, dist := range domain.Districts {
		by[dist] = &DistrictDemand{District: dist}
	}
	for _, o := range offerings {
		dd := by[o.Centre.District]
		if !InService(o, date) || dd == nil || !o.Kind.Valid() {
			continue
		}
		od := OfferingDemand{
			OfferingID: o.ID, Title: o.Title, Kind: o.Kind, Term: o.Term, CentreID: o.Centre.ID, CentreName: o.Centre.Name,
			District: o.Centre.District, Capacity: o.Capacity, Confirmed: o.Confirmed, Waitlisted: o.Waitlisted,
			Oversubscription: Ratio(o.Confirmed+o.Waitlisted, o.Capacity), OpensAt: o.BookingOpensAt.In(domain.CityZone),
		}
		if o.FullAt != nil {
			at := o.FullAt.In(domain.CityZone)
			h := math.Round(max(0, at.Sub(o.BookingOpensAt).Hours())*100) / 100
			od.FullAt, od.HoursToFull = &at, &h
			hours[o.Centre.District] = append(hours[o.Centre.District], h)
		}
		d.Offerings = append(d.Offerings, od)
		for _, s := range []*DistrictDemand{dd, &d.Total} {
			s.add(od)
		}
	}
	var all []float64
	for _, dist := range domain.Districts {
		by[dist].MedianHoursToFull = median(hours[dist])
		all = append(all, hours[dist]...)
		d.ByDistrict = append(d.ByDistrict, *by[dist])
	}
	d.Total.MedianHoursToFull = median(all)
	slices.SortStableFunc(d.Offerings, func(a, b OfferingDemand) int {
		return cmp.Or(
			cmp.Compare(b.Waitlisted, a.Waitlisted),
			cmp.Compare(b.Oversubscription, a.Oversubscription),
			cmp.Compare(hoursOr(a.HoursToFull), hoursOr(b.HoursToFull)),
			cmp.Compare(a.OfferingID, b.OfferingID),
		)
	})
	return d
}

func (s *DistrictDemand) add(od OfferingDemand) {
	s.Offerings++
	s.Capacity += od.Capacity
	s.Confirmed += od.Confirmed
	s.Waitlisted += od.Waitlisted
	if od.Confirmed >= od.Capacity {
		s.FullOfferings++
	}
	if od.HoursToFull != nil && *od.HoursToFull <= 24 {
		s.FilledWithinDay++
	}
}

// hoursOr sorts offerings that never filled after those that did.
func hoursOr(h *float64) float64 {
	if h == nil {
		return math.Inf(1)
	}
	return *h
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	m = math.Round(m*100) / 100
	return &m
}
