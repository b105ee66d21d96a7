package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DrawTierCounts reads, for each of offeringIDs whose draw has closed, how
// many tickets each tier has (by tier number, as the close recorded it);
// an offering not closed yet, or without a draw, is absent. One BatchGetItem
// per hundred offerings.
func (st *Store) DrawTierCounts(ctx context.Context, offeringIDs []string) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	for i := 0; i < len(offeringIDs); i += 100 {
		var keys []map[string]types.AttributeValue
		for _, id := range offeringIDs[i:min(i+100, len(offeringIDs))] {
			keys = append(keys, drawKey(id))
		}
		items, err := st.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, m := range items {
			var r DrawRecord
			if err := attributevalue.UnmarshalMap(m, &r); err != nil {
				return nil, classify(err)
			}
			if r.Status != DrawCommitted && r.TierCounts != nil {
				out[r.OfferingID] = r.TierCounts
			}
		}
	}
	return out, nil
}
