package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestMessagesPage: an account's messages page newest first, whatever the
// order they were written in, the cursor carrying on where a page ended
// and no other account's message among them; ListMessages (the export's
// and the tests' whole read) stays oldest first.
func TestMessagesPage(t *testing.T) {
	w := newWorld(t)
	base := w.now
	// Written out of order: the list's order is the time sent.
	for _, i := range []int{3, 0, 4, 1, 2} {
		w.must(w.st.PutMessage(w.ctx, "acc-1", store.Message{ID: fmt.Sprintf("msg-%d", i), Event: "promoted", Channel: "sms",
			Text: "中文 / English", SentAt: base.Add(time.Duration(i) * time.Minute), Status: "sent"}))
	}
	w.must(w.st.PutMessage(w.ctx, "acc-2", store.Message{ID: "msg-other", Event: "promoted", Channel: "sms", SentAt: base, Status: "sent"}))
	var got []string
	page := paging.Page{Limit: 2}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("the cursor never ends")
		}
		msgs, next, err := w.st.MessagesPage(w.ctx, "acc-1", page)
		w.must(err)
		for _, m := range msgs {
			got = append(got, m.ID)
			if m.Status != "sent" || m.Channel != "sms" || m.Event != "promoted" || m.SentAt.IsZero() {
				t.Errorf("message %+v", m)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if want := "[msg-4 msg-3 msg-2 msg-1 msg-0]"; fmt.Sprint(got) != want {
		t.Fatalf("pages %v, want %s (newest first)", got, want)
	}
	all, err := w.st.ListMessages(w.ctx, "acc-1")
	w.must(err)
	if len(all) != 5 || all[0].ID != "msg-0" || !all[0].SentAt.Equal(base) {
		t.Fatalf("ListMessages %+v, want five, oldest first", all)
	}
	none, next, err := w.st.MessagesPage(w.ctx, "acc-3", paging.Page{Limit: 10})
	if err != nil || none == nil || len(none) != 0 || next != "" {
		t.Fatalf("an account without messages: %#v %q %v, want an empty page", none, next, err)
	}
	if _, _, err := w.st.MessagesPage(w.ctx, "acc-1", paging.Page{Limit: 2, Cursor: "bm9uc2Vuc2U"}); err == nil {
		t.Fatal("a forged cursor was read")
	}
}
