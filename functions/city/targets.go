package city

import (
	"github.com/wuxi-enrol/enrol/shared/auth"
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

type targetsResponse struct {
	Date string `json:"date"`
	// District is set when the figures are one district's part of each
	// city target (a district officer's view).
	District domain.District        `json:"district,omitempty"`
	AsOf     time.Time              `json:"as_of"`
	Items    []cityfigures.Progress `json:"items"`
}

// targets is progress against every target (of ?kind=, if given), as of today.
func (a api) targets(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	q, err := parse(r, c)
	if err != nil {
		return err
	}
	// Targets are the city's; a city officer may not slice them, a
	// district officer sees their district's part of each (parse set it).
	if q.District != "" && c.In(auth.CityOfficers) {
		return httpapi.BadParam("district", "目标针对全市，不分区", "targets are city-wide, not by district")
	}
	now := a.now()
	today := cityfigures.Date(now)
	items, err := a.city.Targets(r.Context(), q.Kind, q.District, today)
	if err != nil {
		return err
	}
	res := targetsResponse{Date: today, District: q.District, AsOf: now.In(domain.CityZone), Items: items}
	if q.CSV {
		rows := make([][]any, len(res.Items))
		for i, p := range res.Items {
			rows[i] = []any{p.Year, kindText(p.Kind), p.Metric, p.Title, p.Target.Target, p.From, p.To, p.Achieved, p.Remaining, p.Progress, p.Changes}
		}
		return csvFile(w, "目标进度", "targets", today, []string{
			"年度 (Year)", "类型 (Kind)", "指标 (Metric)", "目标名称 (Title)", "目标 (Target)", "起算日 (From)", "统计至 (To)",
			"已完成 (Achieved)", "尚差 (Remaining)", "完成率 (Progress)", "变动条数 (Changes)"}, rows)
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
	return nil
}
