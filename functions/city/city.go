// Package city is the education bureau's function: the city's places,
// bookings and waitlists now and by day, every change in places, progress
// against targets (which city officers set), and unmet demand; each also as CSV (?format=csv); and the
// priority policies' versions. City officers read the whole city; district
// officers read the same for their district only; residents and centre
// staff are refused.
package city

import (
	"net/http"
	"time"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/rounds"
)

type api struct {
	city     *cityoffice.Service
	policies *cityoffice.Policies
	rounds   *rounds.Service
	now      func() time.Time
	claims   auth.Claims
}

// New is the function's http.Handler; its routes are those of CityFunction in template.yaml.
func New(d lambdafn.Deps) http.Handler {
	a := api{city: &cityoffice.Service{Store: d.Store}, policies: &cityoffice.Policies{Store: d.Store, Now: d.Now}, now: d.Now,
		rounds: &rounds.Service{Store: d.Store, Beacon: d.Beacon, Now: d.Now}, claims: d.Config.Claims}
	mux := http.NewServeMux()
	// City officers read the whole city; district officers their district.
	mux.Handle("GET /v1/city/capacity", a.readers(a.capacity))
	mux.Handle("GET /v1/city/capacity/history", a.readers(a.history))
	mux.Handle("GET /v1/city/capacity/changes", a.readers(a.changes))
	mux.Handle("GET /v1/city/targets", a.readers(a.targets))
	// Issue 19: targets are set by city officers only, every change kept.
	mux.Handle("PUT /v1/city/targets/{year}/{kind}", a.officersAs(a.putTarget))
	mux.Handle("GET /v1/city/demand", a.readers(a.demand))
	mux.Handle("GET /v1/city/message-failures", a.readers(a.messageFailures))
	// Issue 14: officers write and read every version; anyone reads the
	// one in force (GET /v1/city/priority-policies/{kind}, CatalogueFunction).
	mux.Handle("PUT /v1/city/priority-policies/{kind}", httpapi.Handle(a.putPolicy))
	mux.Handle("GET /v1/city/priority-policies/{kind}/versions", a.readers(ignoring(a.policyVersions)))
	mux.Handle("GET /v1/city/priority-policies/{kind}/versions/{version}", a.readers(ignoring(a.policyVersion)))
	// Rounds with ranked choices (rounds.go).
	mux.Handle("POST /v1/city/rounds", a.officersAs(a.createRound))
	mux.Handle("POST /v1/rounds/{round_id}/draw", a.officers(a.runRound))
	return httpapi.Serve(d.Log, d.Config.Claims, mux)
}

// officers lets only city officers in: residents and centre staff get 403.
func (a api) officers(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if _, err := a.claims.Require(r, auth.CityOfficers); err != nil {
			return err
		}
		return fn(w, r)
	})
}

// readers lets city officers and district officers in (residents and
// centre staff get 403); the handler scopes what it reads by the caller.
func (a api) readers(fn func(http.ResponseWriter, *http.Request, auth.Caller) error) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.claims.Require(r, auth.CityOfficers, auth.DistrictOfficers)
		if err != nil {
			return err
		}
		return fn(w, r, c)
	})
}

// ignoring serves a city-wide read (the priority policies are the whole
// city's) to whoever readers let in.
func ignoring(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request, auth.Caller) error {
	return func(w http.ResponseWriter, r *http.Request, _ auth.Caller) error { return fn(w, r) }
}

// officersAs is officers for a handler that needs the officer.
func (a api) officersAs(fn func(http.ResponseWriter, *http.Request, auth.Caller) error) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.claims.Require(r, auth.CityOfficers)
		if err != nil {
			return err
		}
		return fn(w, r, c)
	})
}
