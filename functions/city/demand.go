package city

import (
	"github.com/wuxi-enrol/enrol/shared/auth"
	"net/http"
	"strconv"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

type demandResponse struct {
	Date       string                       `json:"date"`
	AsOf       time.Time                    `json:"as_of"`
	Kind       domain.Kind                  `json:"kind,omitempty"`
	District   domain.District              `json:"district,omitempty"`
	Total      cityfigures.DistrictDemand   `json:"total"`
	ByDistrict []cityfigures.DistrictDemand `json:"by_district"`
	// Items are the most oversubscribed offerings: full or with people
	// waiting, most waiting first, at most ?limit= (default 20).
	Items []cityfigures.OfferingDemand `json:"items"`
	// Applications are the lottery offerings' applicants per place, in
	// total and by kind and district.
	Applications cityfigures.Applications `json:"applications"`
}

// demand is unmet demand now, from the same read as capacity. The CSV holds
// every offering in service, most oversubscribed first.
func (a api) demand(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	q, err := parse(r, c, "limit")
	if err != nil {
		return err
	}
	limit, err := httpapi.LimitOf(r, 20)
	if err != nil {
		return err
	}
	now := a.now()
	today := cityfigures.Date(now)
	d, err := a.city.Demand(r.Context(), q.Scope, today)
	if err != nil {
		return err
	}
	if q.CSV {
		rows := make([][]any, len(d.Offerings))
		for i, o := range d.Offerings {
			full, hours := "", ""
			if o.FullAt != nil {
				full, hours = o.FullAt.Format("2006-01-02 15:04:05"), strconv.FormatFloat(*o.HoursToFull, 'f', 2, 64)
			}
			rows[i] = []any{o.OfferingID, o.Title, kindText(o.Kind), districtText(o.District), o.CentreName, o.Term,
				o.Capacity, o.Confirmed, o.Waitlisted, o.Oversubscription, o.OpensAt.Format("2006-01-02 15:04:05"), full, hours}
		}
		return csvFile(w, "需求", "demand", today, []string{
			"项目编号 (Offering ID)", "项目 (Offering)", "类型 (Kind)", "区 (District)", "机构 (Centre)", "期次 (Term)",
			"名额 (Places)", "已确认 (Confirmed)", "候补 (Waitlisted)", "报名倍数 (Oversubscription)",
			"开放报名 (Booking opened)", "满员时间 (Full at)", "满员用时/小时 (Hours to full)"}, rows)
	}
	res := demandResponse{Date: today, AsOf: now.In(domain.CityZone), Kind: q.Kind, District: q.District,
		Total: d.Total, ByDistrict: d.ByDistrict, Items: []cityfigures.OfferingDemand{}, Applications: d.Applications}
	if q.District != "" {
		res.ByDistrict = []cityfigures.DistrictDemand{}
		for _, dd := range d.ByDistrict {
			if dd.District == q.District {
				res.ByDistrict = append(res.ByDistrict, dd)
			}
		}
	}
	for _, o := range d.Offerings {
		if len(res.Items) == limit {
			break
		}
		if o.Waitlisted > 0 || o.Confirmed >= o.Capacity {
			res.Items = append(res.Items, o)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
	return nil
}
