package store

import "context"

// OutboxEntries lists every notice waiting in the outbox, shard by shard
// (each in id order): one strongly consistent Query per shard (and per
// megabyte). It reads the whole outbox, which the dispatcher keeps short;
// it is for tests and the local stack, to see what a change announced.
func (st *Store) OutboxEntries(ctx context.Context) ([]OutboxEntry, error) {
	return st.outboxWhere(ctx, func(OutboxEntry) bool { return true })
}
