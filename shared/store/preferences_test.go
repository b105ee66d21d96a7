package store_test

import (
	"fmt"
	"testing"
)

// TestMessagePreferences: an account that never chose has the default
// (SMS); a choice is kept in its order and replaced by the next; an empty
// list is kept as empty (the service decides whether to accept one); one
// account's choice is not another's.
func TestMessagePreferences(t *testing.T) {
	w := newWorld(t)
	read := func(account string) string {
		t.Helper()
		chs, err := w.st.MessagePreferences(w.ctx, account)
		w.must(err)
		return fmt.Sprintf("%q", chs)
	}
	if got := read("acc-1"); got != `["sms"]` {
		t.Fatalf("never chosen: %s, want the default [sms]", got)
	}
	w.must(w.st.PutMessagePreferences(w.ctx, "acc-1", []string{"wechat", "email"}, w.tick()))
	if got := read("acc-1"); got != `["wechat" "email"]` {
		t.Fatalf("chosen: %s", got)
	}
	w.must(w.st.PutMessagePreferences(w.ctx, "acc-1", []string{"email"}, w.tick()))
	if got := read("acc-1"); got != `["email"]` {
		t.Fatalf("chosen again: %s", got)
	}
	w.must(w.st.PutMessagePreferences(w.ctx, "acc-1", nil, w.tick()))
	if got := read("acc-1"); got != `[]` {
		t.Fatalf("none: %s, want an empty list", got)
	}
	if got := read("acc-2"); got != `["sms"]` {
		t.Fatalf("another account: %s", got)
	}
	a, err := w.st.ReadAccount(w.ctx, "acc-1")
	w.must(err)
	if a.Preferences == nil || len(a.Preferences.Channels) != 0 || !a.Preferences.UpdatedAt.Equal(w.now) || len(a.Disposable) != 1 {
		t.Fatalf("the account read whole: %+v, disposable %v", a.Preferences, a.Disposable)
	}
}
