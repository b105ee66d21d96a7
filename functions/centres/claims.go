package centres

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// offeringApplications: GET /v1/offerings/{offering_id}/applications
// ?claims=pending|all — the lottery offering's applications in its draw,
// with their claims at it, for staff to check.
func (a api) offeringApplications(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	page, err := httpapi.ListQuery(r, "claims")
	if err != nil {
		return err
	}
	items, next, err := a.admin.OfferingApplications(r.Context(), c, id, r.URL.Query().Get("claims"), page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// offeringApplication: GET /v1/offerings/{offering_id}/applications/{application_id}
// — one application with, after the draw, its explanation.
func (a api) offeringApplication(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, appID, err := offeringAndApplication(r)
	if err != nil {
		return err
	}
	if err := httpapi.Query(r); err != nil {
		return err
	}
	app, err := a.admin.OfferingApplication(r.Context(), c, id, appID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, app)
	return nil
}

// decideClaim: POST /v1/offerings/{offering_id}/applications/{application_id}/claims
// {code, decision: confirmed|rejected, note} — 200 the application.
func (a api) decideClaim(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, appID, err := offeringAndApplication(r)
	if err != nil {
		return err
	}
	var in centrestaff.ClaimDecisionInput
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	app, err := a.admin.DecideClaim(r.Context(), c, id, appID, in)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, app)
	return nil
}

func offeringAndApplication(r *http.Request) (string, string, error) {
	id, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return "", "", err
	}
	appID, err := httpapi.PathID(r, "application_id")
	return id, appID, err
}
