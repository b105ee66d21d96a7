package store

import (
	"context"
	"strconv"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Explainer adds explanations to applications read for one request,
// reading each policy version they name once.
type Explainer struct {
	st       *Store
	policies map[string]*domain.PriorityPolicy
}

// Explainer starts a request's explanations.
func (st *Store) Explainer() *Explainer {
	return &Explainer{st: st, policies: map[string]*domain.PriorityPolicy{}}
}

// Explain sets a.Explanation (domain.Explain) under the policy version the
// close applied to it; nothing before the draw.
func (e *Explainer) Explain(ctx context.Context, a *domain.Application) error {
	if a.Number == "" {
		return nil
	}
	var p *domain.PriorityPolicy
	if a.PolicyVersion > 0 {
		kind := a.Offering.Kind
		if kind == "" && len(a.Choices) > 0 {
			kind = a.Choices[0].Offering.Kind
		}
		k := string(kind) + "#" + strconv.Itoa(a.PolicyVersion)
		var ok bool
		if p, ok = e.policies[k]; !ok {
			v, err := e.st.PolicyVersion(ctx, kind, a.PolicyVersion)
			if err != nil {
				return err
			}
			p = &v
			e.policies[k] = p
		}
	}
	a.Explanation = domain.Explain(*a, p)
	return nil
}
