package city

import (
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/store"
)

type targetsResponse struct {
	Date  string                 `json:"date"`
	AsOf  time.Time              `json:"as_of"`
	Items []cityfigures.Progress `json:"items"`
}

// targets measures every target (of ?kind=, if given) against the change ledger: one Query for
// the targets, then one Query per megabyte of ledger over the days they
// span together (a year's changes city-wide are a few thousand entries).
func (a api) targets(w http.ResponseWriter, r *http.Request) error {
	q, err := parse(r)
	if err != nil {
		return err
	}
	if q.District != "" {
		return httpapi.BadParam("district", "目标针对全市，不分区", "targets are city-wide, not by district")
	}
	now := a.now()
	today := cityfigures.Date(now)
	all, err := a.store.Targets(r.Context())
	if err != nil {
		return err
	}
	ts := all[:0]
	for _, t := range all {
		if q.Kind == "" || t.Kind == q.Kind {
			ts = append(ts, t)
		}
	}
	var changes []cityfigures.Change
	if from, to, ok := span(ts, today); ok {
		if changes, err = a.store.Changes(r.Context(), from, to, store.ChangeFilter{}); err != nil {
			return err
		}
	}
	res := targetsResponse{Date: today, AsOf: now.In(domain.CityZone), Items: make([]cityfigures.Progress, len(ts))}
	for i, t := range ts {
		res.Items[i] = cityfigures.Measure(t, changes, today)
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

// span is the days every target's window covers, as of today; ok is false
// when no window has begun.
func span(ts []cityfigures.Target, today string) (from, to string, ok bool) {
	for _, t := range ts {
		f, e := t.Window(today)
		if f > e {
			continue
		}
		if !ok || f < from {
			from = f
		}
		if !ok || e > to {
			to = e
		}
		ok = true
	}
	return from, to, ok
}
