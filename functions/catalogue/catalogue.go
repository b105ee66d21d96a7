// Package catalogue is the public catalogue function: centres and published
// offerings, lotteries' draws and the priority policies in force, readable
// without signing in.
package catalogue

import (
	"context"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/listings"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/privacy"
	"github.com/wuxi-enrol/enrol/shared/rounds"
)

type api struct {
	catalogue *listings.Service
	draws     *draws.Service
	rounds    *rounds.Service
	policies  *cityoffice.Policies
}

// New is the function's http.Handler; its routes are those of CatalogueFunction in template.yaml.
func New(d lambdafn.Deps) http.Handler {
	a := api{catalogue: &listings.Service{Store: d.Store}, draws: &draws.Service{Store: d.Store},
		rounds: &rounds.Service{Store: d.Store}, policies: &cityoffice.Policies{Store: d.Store, Now: d.Now}}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/centres", httpapi.Handle(a.listCentres))
	mux.Handle("GET /v1/centres/{centre_id}", httpapi.Handle(one("centre_id", a.catalogue.Centre)))
	mux.Handle("GET /v1/offerings", httpapi.Handle(a.listOfferings))
	mux.Handle("GET /v1/offerings/{offering_id}", httpapi.Handle(one("offering_id", a.catalogue.Offering)))
	mux.Handle("GET /v1/offerings/{offering_id}/draw", httpapi.Handle(one("offering_id", a.draw)))
	mux.Handle("GET /v1/privacy-notice", httpapi.Handle(privacyNotice))
	// Rounds with ranked choices (issue 14).
	mux.Handle("GET /v1/rounds", httpapi.Handle(a.listRounds))
	mux.Handle("GET /v1/rounds/{round_id}", httpapi.Handle(one("round_id", a.rounds.Round)))
	mux.Handle("GET /v1/rounds/{round_id}/draw", httpapi.Handle(one("round_id", a.rounds.Document)))
	// Issue 14: who comes first in a kind's lotteries, public so families
	// know before they apply (officers write it through CityFunction).
	mux.Handle("GET /v1/city/priority-policies/{kind}", httpapi.Handle(one("kind", a.policy)))
	return httpapi.Serve(d.Log, d.Config.Claims, mux)
}

func (a api) listCentres(w http.ResponseWriter, r *http.Request) error {
	page, err := httpapi.ListQuery(r, "district")
	if err != nil {
		return err
	}
	district, err := httpapi.DistrictParam(r)
	if err != nil {
		return err
	}
	items, next, err := a.catalogue.ListCentres(r.Context(), district, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// one answers the resource named by the path's param, as get finds it.
func one[T any](param string, get func(ctx context.Context, id string) (T, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpapi.PathID(r, param)
		if err != nil {
			return err
		}
		v, err := get(r.Context(), id)
		if err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, v)
		return nil
	}
}

func (a api) listOfferings(w http.ResponseWriter, r *http.Request) error {
	page, err := httpapi.ListQuery(r, "kind", "district", "centre_id", "term", "age_months", "available")
	if err != nil {
		return err
	}
	f, err := offeringFilter(r)
	if err != nil {
		return err
	}
	items, next, err := a.catalogue.Published(r.Context(), f, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// draw is a published lottery offering's draw document, for anyone to
// check; a first-come offering has none (404).
func (a api) draw(ctx context.Context, id string) (lottery.Document, error) {
	o, err := a.catalogue.Offering(ctx, id)
	if err != nil {
		return lottery.Document{}, err
	}
	if !o.IsLottery() {
		return lottery.Document{}, domain.NotFound("draw")
	}
	if o.RoundID != "" {
		// A round's member: the round's document with tiers at it.
		return a.rounds.OfferingDocument(ctx, o.RoundID, id)
	}
	return a.draws.Document(ctx, id)
}

// policy is the kind's priority policy in force now.
func (a api) policy(ctx context.Context, kind string) (cityoffice.Policy, error) {
	k, err := cityoffice.PolicyKind(kind)
	if err != nil {
		return cityoffice.Policy{}, err
	}
	return a.policies.Current(ctx, k)
}

func offeringFilter(r *http.Request) (listings.Filter, error) {
	q := r.URL.Query()
	var f listings.Filter
	var err error
	if f.District, err = httpapi.DistrictParam(r); err != nil {
		return f, err
	}
	if f.Kind, err = httpapi.KindParam(r); err != nil {
		return f, err
	}
	if f.CentreID = q.Get("centre_id"); f.CentreID != "" && !httpapi.ValidID(f.CentreID) {
		return f, httpapi.BadParam("centre_id", "centre_id 无效", "centre_id is not valid")
	}
	if f.Term = q.Get("term"); utf8.RuneCountInString(f.Term) > 40 {
		return f, httpapi.BadParam("term", "term 过长", "term is too long")
	}
	if s := q.Get("age_months"); s != "" {
		age, err := strconv.Atoi(s)
		if err != nil || age < 0 || age > 1200 {
			return f, httpapi.BadParam("age_months", "age_months 应为 0 到 1200 的整数", "age_months must be a whole number from 0 to 1200")
		}
		f.AgeMonths = &age
	}
	switch q.Get("available") {
	case "", "false":
	case "true":
		f.Available = true
	default:
		return f, httpapi.BadParam("available", "available 只能为 true 或 false", "available must be true or false")
	}
	return f, nil
}

// privacyNotice is the notice in force, which a guardian's consent names.
func privacyNotice(w http.ResponseWriter, _ *http.Request) error {
	httpapi.WriteJSON(w, http.StatusOK, privacy.Current())
	return nil
}

// listRounds: GET /v1/rounds?kind=&term= (every round, rounds being few).
func (a api) listRounds(w http.ResponseWriter, r *http.Request) error {
	if _, err := httpapi.ListQuery(r, "kind", "term"); err != nil {
		return err
	}
	kind, err := httpapi.KindParam(r)
	if err != nil {
		return err
	}
	term := r.URL.Query().Get("term")
	if utf8.RuneCountInString(term) > 40 {
		return httpapi.BadParam("term", "term 过长", "term is too long")
	}
	items, err := a.rounds.Rounds(r.Context(), kind, term)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, ""))
	return nil
}
