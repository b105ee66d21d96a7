package cityoffice

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/paging"
)

// MessageFailure is a notice the dispatcher gave up on: what officers see
// to follow it up. Account is the resident's sub; no personal data.
type MessageFailure struct {
	ID         string    `json:"id"`
	Event      string    `json:"event"`
	Account    string    `json:"account"`
	OfferingID string    `json:"offering_id"`
	Reason     string    `json:"reason"`
	Attempts   int       `json:"attempts"`
	FailedAt   time.Time `json:"failed_at"`
}

// MessageFailures is a page of the dead letters, newest first.
func (s *Service) MessageFailures(ctx context.Context, page paging.Page) ([]MessageFailure, string, error) {
	dl, next, err := s.Store.DeadLetters(ctx, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]MessageFailure, len(dl))
	for i, d := range dl {
		out[i] = MessageFailure{ID: d.ID, Event: string(d.Event), Account: d.Account, OfferingID: d.OfferingID,
			Reason: d.Reason, Attempts: d.Attempts, FailedAt: d.FailedAt}
	}
	return out, next, nil
}
