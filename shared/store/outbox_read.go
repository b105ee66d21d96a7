package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// OutboxEntries lists every notice waiting in the outbox, shard by shard
// (each in id order): one strongly consistent Query per shard (and per
// megabyte). It reads the whole outbox, which the dispatcher keeps short;
// it is for tests and the local stack, to see what a change announced.
func (st *Store) OutboxEntries(ctx context.Context) ([]OutboxEntry, error) {
	var out []OutboxEntry
	for shard := range OutboxShards {
		err := st.queryAll(ctx, partition{pk: outboxPK(shard)}, func(m map[string]types.AttributeValue) error {
			e, err := unmarshalOutboxEntry(m)
			out = append(out, e)
			return err
		}, consistent)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
