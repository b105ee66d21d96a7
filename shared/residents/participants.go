package residents

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Participants registers the people a resident books for (a child, or the
// resident) and lists them.
type Participants struct {
	Store *store.Store
	// Identities turns an ID number into the identity kept in its place.
	Identities domain.Identifier
	Now        func() time.Time
}

// Register checks and registers a participant in account; the write keeps
// the account's limits (see store.CreateParticipant).
func (s *Participants) Register(ctx context.Context, account string, in domain.NewParticipant) (domain.Participant, error) {
	return s.RegisterAs(ctx, Actor{Account: account}, in)
}

// List pages through the account's participants.
func (s *Participants) List(ctx context.Context, account string, page paging.Page) ([]domain.Participant, string, error) {
	return s.Store.ListParticipants(ctx, account, page)
}
