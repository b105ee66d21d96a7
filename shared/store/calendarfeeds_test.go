package store_test

import (
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// TestCalendarFeeds: a feed's hash finds its account; a new feed replaces
// the account's earlier one (whose hash then finds nothing); revoking
// removes it and may be repeated; deleting the account's disposable items
// (as DELETE /v1/me does) takes the lookup too.
func TestCalendarFeeds(t *testing.T) {
	w := newWorld(t)
	owner := func(hash string) string {
		t.Helper()
		acc, err := w.st.CalendarFeedAccount(w.ctx, hash)
		if apperr.Is(err, apperr.NotFound) {
			return "(none)"
		}
		w.must(err)
		return acc
	}
	if got := owner("h1"); got != "(none)" {
		t.Fatalf("no feed yet: %s", got)
	}
	w.must(w.st.ReplaceCalendarFeed(w.ctx, "acc-1", "h1", w.tick()))
	w.must(w.st.ReplaceCalendarFeed(w.ctx, "acc-2", "h9", w.tick()))
	if got := owner("h1"); got != "acc-1" {
		t.Fatalf("h1 finds %s", got)
	}
	w.must(w.st.ReplaceCalendarFeed(w.ctx, "acc-1", "h2", w.tick()))
	if h1, h2 := owner("h1"), owner("h2"); h1 != "(none)" || h2 != "acc-1" {
		t.Fatalf("after replacing: h1 finds %s, h2 %s", h1, h2)
	}
	w.must(w.st.DeleteCalendarFeed(w.ctx, "acc-1"))
	w.must(w.st.DeleteCalendarFeed(w.ctx, "acc-1"))
	if got := owner("h2"); got != "(none)" {
		t.Fatalf("revoked h2 finds %s", got)
	}
	if got := owner("h9"); got != "acc-2" {
		t.Fatalf("another account's feed: %s", got)
	}
	a, err := w.st.ReadAccount(w.ctx, "acc-2")
	w.must(err)
	if a.CalendarFeed == nil || a.CalendarFeed.Hash != "h9" {
		t.Fatalf("the account read whole: feed %+v", a.CalendarFeed)
	}
	w.must(w.st.DeleteItems(w.ctx, a.Disposable))
	if got := owner("h9"); got != "(none)" {
		t.Fatalf("after the account's items are deleted, h9 finds %s", got)
	}
}
