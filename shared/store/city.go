package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// The city index (GSI3) holds every offering under its kind, ordered by its
// last day, so the offerings still running on a day are one key range: the
// city's figures read those and never the offerings of past terms. Every
// offering gets its key when first written and keeps it (the key never
// changes, so no write adds or removes it).
func cityPK(k domain.Kind) string { return prefixCity + string(k) }

func citySK(o domain.Offering) string {
	return o.EndsOn + "#" + string(o.Centre.District) + "#" + o.ID
}

// CityOfferings reads the offerings of the given kinds (every kind when none
// is given) whose last day is on or after from: one Query per kind and
// megabyte, every status (the caller decides which count), in no particular
// order across kinds.
func (st *Store) CityOfferings(ctx context.Context, from string, kinds ...domain.Kind) ([]domain.Offering, error) {
	if len(kinds) == 0 {
		kinds = domain.Kinds
	}
	var listings []map[string]types.AttributeValue
	for _, k := range kinds {
		err := st.queryAll(ctx, partition{index: indexGSI3, pk: cityPK(k), from: from}, func(m map[string]types.AttributeValue) error {
			listings = append(listings, m)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// The index holds listing items: the counters are on the offerings.
	items, err := st.listedOfferings(ctx, listings)
	if err != nil {
		return nil, err
	}
	var out []domain.Offering
	for _, m := range items {
		if m == nil {
			continue
		}
		o, err := unmarshalOffering(m)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
