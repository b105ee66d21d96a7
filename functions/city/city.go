// Package city is the education bureau's function: the city's places,
// bookings and waitlists now and by day, every change in places, progress
// against targets, and unmet demand; each also as CSV.
package city

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// New is the function's http.Handler; its routes are those of CityFunction in template.yaml.
func New(d lambdafn.Deps) http.Handler {
	mux := http.NewServeMux()
	return httpapi.Serve(d.Log, mux)
}
