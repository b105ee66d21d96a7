package bookings

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// applyRound: POST /v1/rounds/{round_id}/applications {participant_id,
// siblings?, choices: [offering_id], claims?}, with an optional
// Idempotency-Key; 201 (200 when it replays a retry).
func (a api) applyRound(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	roundID, err := httpapi.PathID(r, "round_id")
	if err != nil {
		return err
	}
	var body struct {
		ParticipantID *string  `json:"participant_id"`
		Siblings      []string `json:"siblings"`
		Choices       []string `json:"choices"`
		Claims        []string `json:"claims"`
	}
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		return err
	}
	key, err := participantAndKey(r, body.ParticipantID)
	if err != nil {
		return err
	}
	res, err := a.booking.ApplyRound(r.Context(), residents.RoundApplyRequest{
		Account: c.Sub, RoundID: roundID, ParticipantID: *body.ParticipantID, IdempotencyKey: key,
		Siblings: body.Siblings, Choices: body.Choices, Claims: body.Claims,
	})
	if err != nil {
		return err
	}
	writeMade(w, res.Replayed, "/v1/me/applications/"+res.Application.ID, res.Application)
	return nil
}
