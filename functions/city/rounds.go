package city

import (
	"net/http"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// createRound: POST /v1/city/rounds {title_zh, title_en, kind, term,
// offering_ids, max_choices?} → 201 the round.
func (a api) createRound(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	var body domain.NewRound
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		return err
	}
	round, err := a.rounds.Create(r.Context(), c.Sub, body)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/rounds/"+round.ID)
	httpapi.WriteJSON(w, http.StatusCreated, round)
	return nil
}

// runRound runs a round's draw by hand once applications are closed (409
// draw_not_ready before, or before the beacon's round is out) and answers
// its public document; run again, the same document.
func (a api) runRound(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "round_id")
	if err != nil {
		return err
	}
	if _, err := a.rounds.Run(r.Context(), id); err != nil {
		return err
	}
	doc, err := a.rounds.Document(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, doc)
	return nil
}
