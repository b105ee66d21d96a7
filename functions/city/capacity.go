package city

import (
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/city"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// figures is city.Figures as the API shows them, with the derived values.
type figures struct {
	Capacity    int     `json:"capacity"`
	Confirmed   int     `json:"confirmed"`
	Waitlisted  int     `json:"waitlisted"`
	Available   int     `json:"available"`
	Utilization float64 `json:"utilization"`
	Centres     int     `json:"centres"`
	Offerings   int     `json:"offerings"`
}

func figuresOf(f city.Figures) figures {
	return figures{f.Capacity, f.Confirmed, f.Waitlisted, f.Available(), f.Utilization(), f.Centres, f.Offerings}
}

// row is one slice of the city's figures.
type row struct {
	Kind         domain.Kind     `json:"kind,omitempty"`
	District     domain.District `json:"district,omitempty"`
	DistrictName string          `json:"district_name,omitempty"`
	figures
}

type capacityResponse struct {
	Date           string          `json:"date"`
	AsOf           time.Time       `json:"as_of"`
	Kind           domain.Kind     `json:"kind,omitempty"`
	District       domain.District `json:"district,omitempty"`
	Total          figures         `json:"total"`
	ByDistrict     []row           `json:"by_district"`
	ByKind         []row           `json:"by_kind"`
	ByDistrictKind []row           `json:"by_district_kind"`
}

// capacity is the figures now, from the counters of the offerings in
// service: one Query per kind asked for (and per megabyte of them).
func (a api) capacity(w http.ResponseWriter, r *http.Request) error {
	q, err := parse(r)
	if err != nil {
		return err
	}
	now := a.now()
	today := city.Date(now)
	offerings, err := a.inService(r, q.Scope, today)
	if err != nil {
		return err
	}
	tally := city.Count(offerings, today)
	res := capacityResponse{Date: today, AsOf: now.In(domain.CityZone), Kind: q.Kind, District: q.District,
		Total: figuresOf(tally[q.Scope]), ByDistrict: []row{}, ByKind: []row{}, ByDistrictKind: []row{}}
	for _, s := range city.Scopes() {
		if (q.Kind != "" && s.Kind != q.Kind) || (q.District != "" && s.District != q.District) || s == (city.Scope{}) {
			continue
		}
		rw := rowOf(s, tally[s])
		switch {
		case s.Kind == "":
			res.ByDistrict = append(res.ByDistrict, rw)
		case s.District == "":
			res.ByKind = append(res.ByKind, rw)
		default:
			res.ByDistrictKind = append(res.ByDistrictKind, rw)
		}
	}
	if q.CSV {
		rows := [][]any{scopeRow(city.Scope{Kind: q.Kind, District: q.District}, tally[q.Scope])}
		for _, group := range [][]row{res.ByDistrict, res.ByKind, res.ByDistrictKind} {
			for _, rw := range group {
				rows = append(rows, scopeRow(city.Scope{Kind: rw.Kind, District: rw.District}, tally[city.Scope{Kind: rw.Kind, District: rw.District}]))
			}
		}
		return csvFile(w, "全市名额", "city-capacity", today, append([]string{"区 (District)", "类型 (Kind)"}, figureHeader...), rows)
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
	return nil
}

func rowOf(s city.Scope, f city.Figures) row {
	return row{Kind: s.Kind, District: s.District, DistrictName: domain.DistrictNames[s.District], figures: figuresOf(f)}
}

// inService reads the offerings of the kinds in scope whose last day is not
// past, and keeps those of the district in scope.
func (a api) inService(r *http.Request, s city.Scope, today string) ([]domain.Offering, error) {
	var kinds []domain.Kind
	if s.Kind != "" {
		kinds = []domain.Kind{s.Kind}
	}
	all, err := a.store.CityOfferings(r.Context(), today, kinds...)
	if err != nil || s.District == "" {
		return all, err
	}
	var out []domain.Offering
	for _, o := range all {
		if o.Centre.District == s.District {
			out = append(out, o)
		}
	}
	return out, nil
}
