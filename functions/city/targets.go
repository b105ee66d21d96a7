package city

import (
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

type targetsResponse[T any] struct {
	Date string `json:"date"`
	// District is set when the figures are one district's part of each
	// city target (a district officer's view).
	District domain.District `json:"district,omitempty"`
	AsOf     time.Time       `json:"as_of"`
	Items    []T             `json:"items"`
}

// withHistory is a target's progress and every change of it, oldest first
// (?history=true); a target set before changes were kept has none.
type withHistory struct {
	cityfigures.Progress
	History []cityfigures.TargetChange `json:"history"`
}

// targets is progress against every target (of ?kind=, if given), as of today.
func (a api) targets(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	q, err := parse(r, c, "history")
	if err != nil {
		return err
	}
	var history bool
	switch r.URL.Query().Get("history") {
	case "", "false":
	case "true":
		history = true
	default:
		return httpapi.BadParam("history", "history 只能为 true 或 false", "history must be true or false")
	}
	if history && q.CSV {
		return httpapi.BadParam("history", "CSV 不含修改记录，请去掉 history 或 format=csv", "the CSV has no history: leave out history or format=csv")
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
	res := targetsResponse[cityfigures.Progress]{Date: today, District: q.District, AsOf: now.In(domain.CityZone), Items: items}
	if history {
		changes, err := a.city.TargetHistory(r.Context())
		if err != nil {
			return err
		}
		out := targetsResponse[withHistory]{Date: res.Date, District: res.District, AsOf: res.AsOf, Items: make([]withHistory, len(items))}
		for i, p := range items {
			out.Items[i] = withHistory{Progress: p, History: changes[p.Key()]}
			if out.Items[i].History == nil {
				out.Items[i].History = []cityfigures.TargetChange{}
			}
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
		return nil
	}
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

// putTarget sets the city's target for a year and kind: 201 with its
// progress when it is new, 200 when it was there (changed or not).
func (a api) putTarget(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	if err := httpapi.Query(r); err != nil {
		return err
	}
	var in cityoffice.TargetInput
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := a.city.SetTarget(r.Context(), r.PathValue("year"), r.PathValue("kind"), in, c.Sub, a.now())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	httpapi.WriteJSON(w, status, res.Progress)
	return nil
}
