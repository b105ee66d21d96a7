package city

import (
	"net/http"
	"strconv"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// putPolicy writes the kind's next policy version: 201 with it, and where
// it stays readable.
func (a api) putPolicy(w http.ResponseWriter, r *http.Request) error {
	c, err := a.claims.Require(r, auth.CityOfficers)
	if err != nil {
		return err
	}
	kind, err := cityoffice.PolicyKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	if err := httpapi.Query(r); err != nil {
		return err
	}
	var in cityoffice.NewPolicy
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.policies.Put(r.Context(), kind, in, c.Sub)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/city/priority-policies/"+string(kind)+"/versions/"+strconv.Itoa(p.Version))
	httpapi.WriteJSON(w, http.StatusCreated, p)
	return nil
}

// policyVersions lists the kind's versions, newest first, each with its
// status now.
func (a api) policyVersions(w http.ResponseWriter, r *http.Request) error {
	kind, err := cityoffice.PolicyKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	items, next, err := a.policies.Versions(r.Context(), kind, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// policyVersion is one version, old ones included.
func (a api) policyVersion(w http.ResponseWriter, r *http.Request) error {
	kind, err := cityoffice.PolicyKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	v, err := cityoffice.PolicyVersionNumber(r.PathValue("version"))
	if err != nil {
		return err
	}
	if err := httpapi.Query(r); err != nil {
		return err
	}
	p, err := a.policies.Version(r.Context(), kind, v)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, p)
	return nil
}
