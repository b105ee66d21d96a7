package city

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// messageFailures pages through the messages the dispatcher gave up on,
// newest first.
func (a api) messageFailures(w http.ResponseWriter, r *http.Request) error {
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	items, next, err := a.city.MessageFailures(r.Context(), page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}
