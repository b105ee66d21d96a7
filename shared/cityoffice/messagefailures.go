package cityoffice

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
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

// MessageFailures is a page of the dead letters, newest first; with a
// district, only those about its centres' offerings (a page may then read
// further, and hold fewer than its limit, before the cursor).
func (s *Service) MessageFailures(ctx context.Context, district domain.District, page paging.Page) ([]MessageFailure, string, error) {
	var only func(string) bool
	if district != "" {
		ids, err := s.centresOf(ctx, district)
		if err != nil {
			return nil, "", err
		}
		only = func(id string) bool { return ids[id] }
	}
	dl, next, err := s.Store.DeadLettersOf(ctx, page, only)
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

// centresOf is the set of a district's centre ids: a Query per page of them.
func (s *Service) centresOf(ctx context.Context, district domain.District) (map[string]bool, error) {
	ids := map[string]bool{}
	page := paging.Page{Limit: 500}
	for {
		cs, next, err := s.Store.ListCentres(ctx, district, page)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			ids[c.ID] = true
		}
		if next == "" {
			return ids, nil
		}
		page.Cursor = next
	}
}
