package city

import (
	"github.com/wuxi-enrol/enrol/shared/auth"
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

type point struct {
	Date string `json:"date"`
	figures
}

type historyResponse struct {
	Kind     domain.Kind     `json:"kind,omitempty"`
	District domain.District `json:"district,omitempty"`
	From     string          `json:"from"`
	To       string          `json:"to"`
	Items    []point         `json:"items"`
}

// history is one point a day from the daily snapshots; a day without a
// snapshot (the job did not run) has no point.
func (a api) history(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	today := cityfigures.Date(a.now())
	q, err := parseRange(r, c, today)
	if err != nil {
		return err
	}
	snaps, err := a.city.History(r.Context(), q.From, q.To)
	if err != nil {
		return err
	}
	res := historyResponse{Kind: q.Kind, District: q.District, From: q.From, To: q.To, Items: make([]point, 0, len(snaps))}
	for _, sn := range snaps {
		res.Items = append(res.Items, point{Date: sn.Date, figures: figuresOf(sn.Tally[q.Scope])})
	}
	if q.CSV {
		rows := make([][]any, len(snaps))
		for i, sn := range snaps {
			rows[i] = append([]any{sn.Date}, scopeRow(q.Scope, sn.Tally[q.Scope])...)
		}
		return csvFile(w, "名额历史", "capacity-history", q.From+"-"+q.To,
			append([]string{"日期 (Date)", "区 (District)", "类型 (Kind)"}, figureHeader...), rows)
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
	return nil
}
