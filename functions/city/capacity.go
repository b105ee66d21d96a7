package city

import (
	"github.com/wuxi-enrol/enrol/shared/auth"
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
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
	// Suspended centres' offerings: their places are out of capacity, their
	// bookings still in confirmed and waitlisted (issue 19).
	SuspendedCentres int `json:"suspended_centres"`
	SuspendedPlaces  int `json:"suspended_places"`
}

func figuresOf(f cityfigures.Figures) figures {
	return figures{f.Capacity, f.Confirmed, f.Waitlisted, f.Available(), f.Utilization(), f.Centres, f.Offerings, f.SuspendedCentres, f.SuspendedPlaces}
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
	// Participants are city-wide whatever the filter: people registered
	// and those whose identity centre staff verified.
	Participants participantCounts `json:"participants"`
}

type participantCounts struct {
	Registered int `json:"registered"`
	Verified   int `json:"verified"`
}

// capacity is the figures now, from the counters of the offerings in
// service: one Query per kind asked for (and per megabyte of them).
func (a api) capacity(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	q, err := parse(r, c)
	if err != nil {
		return err
	}
	now := a.now()
	today := cityfigures.Date(now)
	tally, err := a.city.Capacity(r.Context(), q.Scope, today)
	if err != nil {
		return err
	}
	byDistrict, byKind, byDistrictKind := breakdowns(q.Scope)
	if q.CSV {
		rows := [][]any{scopeRow(q.Scope, tally[q.Scope])}
		for _, group := range [][]cityfigures.Scope{byDistrict, byKind, byDistrictKind} {
			for _, s := range group {
				rows = append(rows, scopeRow(s, tally[s]))
			}
		}
		return csvFile(w, "全市名额", "city-capacity", today, append([]string{"区 (District)", "类型 (Kind)"}, figureHeader...), rows)
	}
	res := capacityResponse{Date: today, AsOf: now.In(domain.CityZone), Kind: q.Kind, District: q.District,
		Total: figuresOf(tally[q.Scope]), ByDistrict: rowsOf(byDistrict, tally), ByKind: rowsOf(byKind, tally),
		ByDistrictKind: rowsOf(byDistrictKind, tally)}
	if res.Participants.Registered, res.Participants.Verified, err = a.city.Participants(r.Context()); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
	return nil
}

// breakdowns are the slices each breakdown of scope lists, staying within
// it: by district within the kind asked, by kind within the district asked.
func breakdowns(scope cityfigures.Scope) (byDistrict, byKind, byDistrictKind []cityfigures.Scope) {
	for _, d := range domain.Districts {
		if scope.District == "" || d == scope.District {
			byDistrict = append(byDistrict, cityfigures.Scope{Kind: scope.Kind, District: d})
		}
	}
	for _, k := range domain.Kinds {
		if scope.Kind != "" && k != scope.Kind {
			continue
		}
		byKind = append(byKind, cityfigures.Scope{Kind: k, District: scope.District})
		for _, d := range byDistrict {
			byDistrictKind = append(byDistrictKind, cityfigures.Scope{Kind: k, District: d.District})
		}
	}
	return byDistrict, byKind, byDistrictKind
}

func rowsOf(scopes []cityfigures.Scope, t cityfigures.Tally) []row {
	out := make([]row, len(scopes))
	for i, s := range scopes {
		out[i] = row{Kind: s.Kind, District: s.District, DistrictName: domain.DistrictNames[s.District], figures: figuresOf(t[s])}
	}
	return out
}
