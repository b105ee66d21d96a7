package erasure

import (
	"context"

	"github.com/wuxi-enrol/enrol/shared/store"
)

// DueForErasure lists up to limit participants whose retention ended
// before today, earliest first. The index is eventually consistent: one
// just erased may still be listed.
func (s *Service) DueForErasure(ctx context.Context, today string, limit int) ([]store.Due, error) {
	return s.Store.DueForErasure(ctx, today, limit)
}

// PostponeRetention keeps the participant until the day given (their
// bookings' KeptUntil), when the retention job looks again.
func (s *Service) PostponeRetention(ctx context.Context, account, participantID, until string) error {
	return s.Store.PostponeRetention(ctx, account, participantID, until)
}
