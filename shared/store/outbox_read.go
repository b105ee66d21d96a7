package store

import "context"

// OutboxEntries is every notice in the outbox, due or not, shard by shard
// (tests read what a change wrote, and what is left after a drain).
func (st *Store) OutboxEntries(ctx context.Context) ([]OutboxEntry, error) {
	return st.outboxWhere(ctx, func(OutboxEntry) bool { return true })
}
