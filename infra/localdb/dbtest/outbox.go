package dbtest

import (
	"context"
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/store"
)

// Told is what the outbox holds of st, one "event account booking" line a
// notice (the account empty for the bus's only), sorted, so a test states
// exactly who is told of what.
func Told(t testing.TB, st *store.Store) []string {
	t.Helper()
	es, err := st.OutboxEntries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e.Event) + " " + e.Account + " " + e.BookingID
	}
	slices.Sort(out)
	return out
}
