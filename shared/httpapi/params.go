package httpapi

import (
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// BadParam is a 400 that names the query parameter at fault.
func BadParam(field, zh, en string) error {
	return apperr.New(apperr.InvalidRequest, "查询参数有误："+zh, "Bad query parameter: "+en).With(field, zh, en)
}

// KindParam reads ?kind= ("" when absent).
func KindParam(r *http.Request) (domain.Kind, error) {
	k := domain.Kind(r.URL.Query().Get("kind"))
	if k != "" && !k.Valid() {
		zh, en := domain.KindChoices()
		return "", BadParam("kind", "kind 应为 "+zh, "kind must be "+en)
	}
	return k, nil
}

// DistrictParam reads ?district= ("" when absent).
func DistrictParam(r *http.Request) (domain.District, error) {
	d := domain.District(r.URL.Query().Get("district"))
	if d != "" && !d.Valid() {
		return "", BadParam("district", "未知的区", "unknown district")
	}
	return d, nil
}

// DateParam reads a YYYY-MM-DD query parameter, or def when it is absent.
func DateParam(r *http.Request, name, def string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", BadParam(name, name+" 应为 YYYY-MM-DD 格式的日期", name+" must be a date, YYYY-MM-DD")
	}
	return v, nil
}
