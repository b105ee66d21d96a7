package store

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// The reads a resident's calendar is made from: the account's bookings,
// then their offerings (sessions) and centres (addresses), each by id.

// AccountBookings are every booking of the account that still carries
// personal data (erased ones have left it), oldest first (oldestFirst):
// one strongly consistent Query per megabyte.
func (st *Store) AccountBookings(ctx context.Context, account string) ([]domain.Booking, error) {
	out := []domain.Booking{}
	err := st.queryAll(ctx, partition{pk: accountPK(account), prefix: prefixBooking}, func(m map[string]types.AttributeValue) error {
		b, err := st.unmarshalBooking(ctx, m)
		if err == nil && !b.Erased {
			out = append(out, b)
		}
		return err
	}, consistent)
	oldestFirst(out)
	return out, err
}

// oldestFirst sorts bookings by when each was made, then by id: their ids
// do not all sort by time (a booking under an Idempotency-Key has an id
// made from the key), so the sort key's order is not theirs.
func oldestFirst(bs []domain.Booking) {
	slices.SortFunc(bs, func(a, b domain.Booking) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
}

// OfferingsByID are the offerings named (an unknown one is absent): one
// BatchGetItem per 100.
func (st *Store) OfferingsByID(ctx context.Context, ids []string) (map[string]domain.Offering, error) {
	return byID(ctx, st, ids, func(id string) map[string]types.AttributeValue { return key(offeringPK(id), skOffering) },
		func(m map[string]types.AttributeValue) (string, domain.Offering, error) {
			o, err := unmarshalOffering(m)
			return o.ID, o, err
		})
}

// CentresByID are the centres named (an unknown one is absent): one
// BatchGetItem per 100.
func (st *Store) CentresByID(ctx context.Context, ids []string) (map[string]domain.Centre, error) {
	return byID(ctx, st, ids, func(id string) map[string]types.AttributeValue { return key(centrePK(id), skCentre) },
		func(m map[string]types.AttributeValue) (string, domain.Centre, error) {
			var it centreItem
			err := attributevalue.UnmarshalMap(m, &it)
			return it.ID, it.centre(), classify(err)
		})
}

// byID reads the item of each distinct id, maxKeysPerGet to a BatchGetItem.
func byID[T any](ctx context.Context, st *Store, ids []string, keyOf func(string) map[string]types.AttributeValue,
	decode func(map[string]types.AttributeValue) (string, T, error)) (map[string]T, error) {
	return byIDWith(ctx, st, true, ids, keyOf, decode)
}

// byIDWith is byID, strongly consistent or not; empty ids are skipped.
func byIDWith[T any](ctx context.Context, st *Store, consistent bool, ids []string, keyOf func(string) map[string]types.AttributeValue,
	decode func(map[string]types.AttributeValue) (string, T, error)) (map[string]T, error) {
	out := map[string]T{}
	ids = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(ids))), func(id string) bool { return id == "" })
	for chunk := range slices.Chunk(ids, maxKeysPerGet) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, id := range chunk {
			keys[i] = keyOf(id)
		}
		items, err := st.batchGetWith(ctx, keys, consistent)
		if err != nil {
			return nil, err
		}
		for _, m := range items {
			id, v, err := decode(m)
			if err != nil {
				return nil, err
			}
			out[id] = v
		}
	}
	return out, nil
}
