package city

import (
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// messageFailures pages through the messages the dispatcher gave up on,
// newest first.
func (a api) messageFailures(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	district, ok := c.CityScope("")
	if !ok {
		return otherDistrict()
	}
	items, next, err := a.city.MessageFailures(r.Context(), domain.District(district), page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}
