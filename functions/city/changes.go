package city

import (
	"github.com/wuxi-enrol/enrol/shared/auth"
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// changes pages through the change ledger, oldest first; the CSV holds the
// whole range.
func (a api) changes(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	today := cityfigures.Date(a.now())
	q, err := parseRange(r, c, today, "limit", "cursor")
	if err != nil {
		return err
	}
	page, err := httpapi.PageOf(r)
	if err != nil {
		return err
	}
	f := cityoffice.ChangeFilter{Kind: q.Kind, District: q.District}
	if q.CSV {
		all, err := a.city.Changes(r.Context(), q.From, q.To, f)
		if err != nil {
			return err
		}
		rows := make([][]any, len(all))
		for i, c := range all {
			rows[i] = []any{c.At.In(domain.CityZone).Format("2006-01-02 15:04:05"), c.Date, kindText(c.Kind), districtText(c.District),
				c.CentreID, c.CentreName, c.OfferingID, c.OfferingTitle, c.Term, reasonText(c.Reason), c.Before, c.After, c.Delta, c.Actor}
		}
		return csvFile(w, "名额变动", "capacity-changes", q.From+"-"+q.To, []string{
			"时间 (Time)", "日期 (Date)", "类型 (Kind)", "区 (District)", "机构编号 (Centre ID)", "机构 (Centre)",
			"项目编号 (Offering ID)", "项目 (Offering)", "期次 (Term)", "原因 (Reason)", "变动前 (Before)", "变动后 (After)",
			"变动 (Change)", "操作人 (By)"}, rows)
	}
	items, next, err := a.city.ChangesPage(r.Context(), q.From, q.To, f, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}
