package centrestaff

import (
	"context"

	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Offerings pages through the offerings, in every status, of a centre the
// caller manages; any other centre is not found.
func (s *Service) Offerings(ctx context.Context, c auth.Caller, centreID string, page paging.Page) ([]domain.Offering, string, error) {
	if _, err := s.Centre(ctx, c, centreID); err != nil {
		return nil, "", err
	}
	return s.Store.ListCentreOfferings(ctx, centreID, page)
}

// Audit pages through the audit log of a centre the caller manages.
func (s *Service) Audit(ctx context.Context, c auth.Caller, centreID string, page paging.Page) ([]store.AuditEntry, string, error) {
	if _, err := s.Centre(ctx, c, centreID); err != nil {
		return nil, "", err
	}
	return s.Store.ListAudit(ctx, centreID, page)
}
