package draws

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Tally counts the applications of every lottery offering whose window has
// opened and which is not drawn, and records each count on its offering
// (store.TallyApplicants), so that the city's demand reads one attribute a
// lottery instead of counting 16 partitions each time it is asked. A count
// made after the close is final, and is not made again. It returns how
// many offerings it counted.
func (s *Service) Tally(ctx context.Context, at time.Time) (int, error) {
	offerings, err := s.Store.CityOfferings(ctx, cityfigures.Date(at))
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, o := range offerings {
		if needsTally(o, at) {
			ids = append(ids, o.ID)
		}
	}
	counts, err := s.Store.ApplicantCounts(ctx, ids)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, s.Store.TallyApplicants(ctx, id, counts[id], at))
	}
	return len(ids), errors.Join(errs...)
}

// needsTally: a lottery, not drawn nor cancelled, open for applications by
// at, and not yet counted after its close.
func needsTally(o domain.Offering, at time.Time) bool {
	if !o.IsLottery() || o.DrawnAt != nil || o.Status == domain.OfferingCancelled ||
		o.ApplicationsOpenAt == nil || at.Before(*o.ApplicationsOpenAt) {
		return false
	}
	return o.TalliedAt == nil || o.ApplicationsCloseAt == nil || o.TalliedAt.Before(*o.ApplicationsCloseAt)
}
