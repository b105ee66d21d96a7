package bookings

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// apply: POST /v1/offerings/{offering_id}/applications {participant_id,
// siblings?, claims?}, with an optional Idempotency-Key; 201 (200 when it replays a retry).
func (a api) apply(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	offeringID, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	var body struct {
		ParticipantID *string  `json:"participant_id"`
		Siblings      []string `json:"siblings"`
		Claims        []string `json:"claims"`
	}
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		return err
	}
	key, err := participantAndKey(r, body.ParticipantID)
	if err != nil {
		return err
	}
	res, err := a.booking.Apply(r.Context(), residents.ApplyRequest{
		Account: c.Sub, OfferingID: offeringID, ParticipantID: *body.ParticipantID, IdempotencyKey: key,
		Siblings: body.Siblings, Claims: body.Claims,
	})
	if err != nil {
		return err
	}
	writeMade(w, res.Replayed, "/v1/me/applications/"+res.Application.ID, res.Application)
	return nil
}

func (a api) listApplications(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	items, next, err := a.booking.Applications(r.Context(), c.Sub, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}
