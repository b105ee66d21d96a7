package city

import (
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// maxYears is the longest range a request may ask for.
const maxYears = 3

// query is a city request's parameters.
type query struct {
	cityfigures.Scope
	CSV      bool
	From, To string // for ranged requests
}

// parse checks the query: only the named parameters (besides kind, district
// and format) are allowed, and each is validated with its field named. A
// district officer's query is their district's, whether they name it or
// not; naming another is 403.
func parse(r *http.Request, c auth.Caller, allowed ...string) (query, error) {
	var q query
	if err := httpapi.Query(r, append(allowed, "kind", "district", "format")...); err != nil {
		return q, err
	}
	var err error
	if q.Kind, err = httpapi.KindParam(r); err != nil {
		return q, err
	}
	if q.District, err = httpapi.DistrictParam(r); err != nil {
		return q, err
	}
	district, ok := c.CityScope(string(q.District))
	if !ok {
		return q, otherDistrict()
	}
	q.District = domain.District(district)
	switch r.URL.Query().Get("format") {
	case "", "json":
	case "csv":
		q.CSV = true
	default:
		return q, httpapi.BadParam("format", "format 应为 json 或 csv", "format must be json or csv")
	}
	return q, nil
}

// parseRange also reads from and to (YYYY-MM-DD, city days, both included):
// by default the year up to today; never reversed, never over three years.
func parseRange(r *http.Request, c auth.Caller, today string, allowed ...string) (query, error) {
	q, err := parse(r, c, append(allowed, "from", "to")...)
	if err != nil {
		return q, err
	}
	if q.To, err = httpapi.DateParam(r, "to", today); err != nil {
		return q, err
	}
	to, _ := time.Parse(time.DateOnly, q.To)
	if q.From, err = httpapi.DateParam(r, "from", to.AddDate(-1, 0, 1).Format(time.DateOnly)); err != nil {
		return q, err
	}
	from, _ := time.Parse(time.DateOnly, q.From)
	switch {
	case from.After(to):
		return q, apperr.New(apperr.InvalidRequest, "查询参数有误：from 不能晚于 to", "Bad query parameter: from must not be after to").
			With("from", "不能晚于 to", "must not be after to").
			With("to", "不能早于 from", "must not be before from")
	case !to.Before(from.AddDate(maxYears, 0, 0)):
		return q, apperr.New(apperr.InvalidRequest, "查询参数有误：时间范围不能超过 3 年", "Bad query parameter: the range may not exceed 3 years").
			With("from", "与 to 相距不能超过 3 年", "must be within 3 years of to").
			With("to", "与 from 相距不能超过 3 年", "must be within 3 years of from")
	}
	return q, nil
}

// otherDistrict refuses a district officer another district's figures.
func otherDistrict() error {
	return apperr.New(apperr.Forbidden, "您只能查看本区的数据", "You may only see your own district's figures")
}
