package bookings

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/download"
	"github.com/wuxi-enrol/enrol/shared/erasure"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// deleteParticipant is DELETE /v1/me/participants/{participant_id}: 204,
// or 409 has_active_bookings while one is active.
func (a api) deleteParticipant(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	return a.participantRight(w, r, c, func(id string) error {
		return a.erasure.Participant(r.Context(), c.Sub, id, erasure.Refuse)
	})
}

// withdrawConsent is DELETE /v1/me/participants/{participant_id}/consent:
// the child's active bookings are cancelled and their data erased.
func (a api) withdrawConsent(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	return a.participantRight(w, r, c, func(id string) error {
		return a.erasure.WithdrawConsent(r.Context(), c.Sub, id)
	})
}

func (a api) participantRight(w http.ResponseWriter, r *http.Request, c auth.Caller, do func(id string) error) error {
	id, err := httpapi.PathID(r, "participant_id")
	if err != nil {
		return err
	}
	if err := do(id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// export is GET /v1/me/export: everything held about the account, as a
// JSON download.
func (a api) export(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	e, err := a.erasure.Export(r.Context(), c.Sub)
	if err != nil {
		return err
	}
	name := "enrol-export-" + e.ExportedAt.Format("2006-01-02") + ".json"
	w.Header().Set("Content-Disposition", download.Disposition(name, name))
	httpapi.WriteJSON(w, http.StatusOK, e)
	return nil
}

// deleteAccount is DELETE /v1/me: 204, again and again. The table first,
// then the sign-in account (the Cognito user, with the phone number): if
// deleting the user fails, the 503 is retried, and the erasure, being
// idempotent, lets the retry reach the user again. Without a user pool
// (AuthMode oidc) the sign-in account is the city's identity provider's,
// which keeps it: only the table's data is deleted (README, "中国区域 /
// China regions").
func (a api) deleteAccount(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	if err := a.erasure.Account(r.Context(), c.Sub); err != nil {
		return err
	}
	if a.signIn != nil {
		if err := a.signIn.Delete(r.Context(), c.Sub); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
