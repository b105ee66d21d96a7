// Package listings is the public catalogue's service: the centres and the
// offerings a resident may see before signing in.
package listings

import (
	"context"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Filter narrows the published offerings; every field is optional.
type Filter = store.OfferingFilter

// Service reads the catalogue.
type Service struct {
	Store *store.Store
}

// ListCentres pages through the centres, of one district if given: active
// and suspended ones (with their status); a draft is not yet public.
func (s *Service) ListCentres(ctx context.Context, district domain.District, page paging.Page) ([]domain.Centre, string, error) {
	return s.Store.ListPublicCentres(ctx, district, page)
}

// Centre is one centre residents may see; a draft is not found, as if it
// did not exist.
func (s *Service) Centre(ctx context.Context, id string) (domain.Centre, error) {
	c, err := s.Store.GetCentre(ctx, id)
	if err != nil {
		return c, err
	}
	if !c.Public() {
		return domain.Centre{}, domain.NotFound("centre")
	}
	return c, nil
}

// Published pages through the published offerings that pass f.
func (s *Service) Published(ctx context.Context, f Filter, page paging.Page) ([]domain.Offering, string, error) {
	return s.Store.ListPublished(ctx, f, page)
}

// Offering is one offering the public may see; a draft is not found, as if
// it did not exist.
func (s *Service) Offering(ctx context.Context, id string) (domain.Offering, error) {
	o, err := s.Store.GetOffering(ctx, id)
	if err != nil {
		return o, err
	}
	if !o.Public() {
		return domain.Offering{}, domain.NotFound("offering")
	}
	return o, nil
}
