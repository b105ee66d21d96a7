package bookings

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// apply: POST /v1/offerings/{offering_id}/applications {participant_id,
// siblings?, claims?} and POST /v1/rounds/{round_id}/applications {…,
// choices: [offering_id]} (ranked), with an optional Idempotency-Key; 201
// (200 when it replays a retry).
func (a api) apply(w http.ResponseWriter, r *http.Request, who residents.Actor) error {
	round := r.PathValue("round_id") != ""
	param := "offering_id"
	if round {
		param = "round_id"
	}
	id, err := httpapi.PathID(r, param)
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
	if !round && body.Choices != nil {
		return apperr.New(apperr.ValidationFailed, "请求内容有误，请检查标出的字段", "Some fields are not valid; see errors").
			With("choices", "只有招生轮次的申请才排志愿", "only an application to a round ranks choices")
	}
	key, err := participantAndKey(r, body.ParticipantID)
	if err != nil {
		return err
	}
	var res residents.ApplicationResult
	if round {
		res, err = a.booking.ApplyRound(r.Context(), residents.RoundApplyRequest{
			Account: who.Account, RoundID: id, ParticipantID: *body.ParticipantID, IdempotencyKey: key,
			Siblings: body.Siblings, Choices: body.Choices, Claims: body.Claims,
		})
	} else {
		res, err = a.booking.Apply(r.Context(), residents.ApplyRequest{
			Account: who.Account, OfferingID: id, ParticipantID: *body.ParticipantID, IdempotencyKey: key,
			Siblings: body.Siblings, Claims: body.Claims, Assist: who.Assist,
		})
	}
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
