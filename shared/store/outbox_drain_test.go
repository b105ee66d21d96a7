package store_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func promoted(account string, at time.Time) notices.Notice {
	n := notices.New(notices.Promoted, at)
	n.Account, n.OfferingID, n.Title, n.FirstSession = account, "o1", "托班", "2025-09-01"
	return n
}

// TestDueNoticesAndLease: only notices whose time has come are due, oldest
// first, across shards; of two dispatchers that read the same entry one
// takes it and the other loses (ErrLeaseLost, not an error); a taken notice
// is not due again until its lease ends, when the next take counts a
// second attempt.
func TestDueNoticesAndLease(t *testing.T) {
	w := newWorld(t)
	var ns []notices.Notice
	for i := range 12 {
		n := promoted(fmt.Sprintf("acct-%d", i), w.now.Add(time.Duration(i)*time.Second))
		ns = append(ns, n)
		w.must(w.st.PutNotice(w.ctx, n))
	}
	w.must(w.st.PutNotice(w.ctx, ns[0])) // again: left as it was
	due, err := w.st.DueNotices(w.ctx, w.now.Add(9*time.Second), 100)
	w.must(err)
	if len(due) != 10 {
		t.Fatalf("%d due, want 10", len(due))
	}
	for i, e := range due {
		if e.ID != ns[i].ID || e.Attempts != 0 || e.Account != ns[i].Account || e.Title != "托班" {
			t.Fatalf("due[%d] = %+v, want notice %s", i, e, ns[i].ID)
		}
	}
	if lim, _ := w.st.DueNotices(w.ctx, w.now.Add(time.Hour), 3); len(lim) != 3 || lim[0].ID != ns[0].ID {
		t.Fatalf("limit 3: %+v", lim)
	}

	lease := w.now.Add(5 * time.Minute)
	taken, err := w.st.TakeNotice(w.ctx, due[0], lease)
	if err != nil || taken.Attempts != 1 {
		t.Fatalf("take: %+v %v", taken, err)
	}
	if _, err := w.st.TakeNotice(w.ctx, due[0], lease); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second take of the same read: %v, want ErrLeaseLost", err)
	}
	if d, _ := w.st.DueNotices(w.ctx, lease.Add(-time.Second), 100); slices.ContainsFunc(d, func(e store.OutboxEntry) bool { return e.ID == ns[0].ID }) {
		t.Fatal("a leased notice is due before its lease ends")
	}
	d, _ := w.st.DueNotices(w.ctx, lease, 100)
	i := slices.IndexFunc(d, func(e store.OutboxEntry) bool { return e.ID == ns[0].ID })
	if i < 0 || d[i].Attempts != 1 {
		t.Fatalf("after the lease: %+v", d)
	}
	if again, err := w.st.TakeNotice(w.ctx, d[i], lease.Add(5*time.Minute)); err != nil || again.Attempts != 2 {
		t.Fatalf("take after the lease: %+v %v", again, err)
	}
}

// TestRecordSendFinish: a send is recorded with its message record in the
// account; one recorded without the lease writes nothing (ErrLeaseLost);
// a retry reads the done keys; the last send deletes the notice in the
// write that records it, and only for the dispatcher holding it; a late
// send on a finished notice writes nothing.
func TestRecordSendFinish(t *testing.T) {
	w := newWorld(t)
	n := promoted("acct-a", w.now)
	w.must(w.st.PutNotice(w.ctx, n))
	due, _ := w.st.DueNotices(w.ctx, w.now, 10)
	e, err := w.st.TakeNotice(w.ctx, due[0], w.now.Add(time.Minute))
	w.must(err)
	msg := store.Message{ID: "msg-1", Event: string(n.Event), Channel: "sms", Text: "中 / en", SentAt: w.now, Status: "sent"}
	w.must(w.st.RecordSend(w.ctx, e, n.ID+"#sms", &msg, false))
	lost := e
	lost.Attempts = 0 // as read before the take: another dispatcher's view
	if err := w.st.RecordSend(w.ctx, lost, n.ID+"#email", &msg, false); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("a send recorded without the lease: %v, want ErrLeaseLost", err)
	}
	w.must(w.st.RecordSend(w.ctx, e, n.ID+"#bus", nil, false))
	msgs, err := w.st.ListMessages(w.ctx, "acct-a")
	w.must(err)
	if len(msgs) != 1 || msgs[0].Channel != "sms" || msgs[0].Status != "sent" || msgs[0].Event != "promoted" {
		t.Fatalf("messages %+v", msgs)
	}
	w.must(w.st.RetryNotice(w.ctx, e, w.now.Add(2*time.Minute), "wechat: timeout"))
	left, _ := w.st.OutboxEntries(w.ctx)
	if len(left) != 1 || !slices.Equal(slices.Sorted(slices.Values(left[0].Done)), []string{n.ID + "#bus", n.ID + "#sms"}) ||
		left[0].LastError != "wechat: timeout" || !left[0].Due.Equal(w.now.Add(2*time.Minute)) {
		t.Fatalf("after a retry: %+v", left)
	}
	if err := w.st.RetryNotice(w.ctx, lost, w.now, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("retry by a dispatcher that lost the lease: %v", err)
	}
	again, err := w.st.TakeNotice(w.ctx, left[0], w.now.Add(3*time.Minute))
	w.must(err)
	if err := w.st.FinishNotice(w.ctx, e); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("finished by the dispatcher whose lease ran out: %v", err)
	}
	if err := w.st.RecordSend(w.ctx, e, n.ID+"#wechat", &msg, true); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("last send recorded by the dispatcher whose lease ran out: %v", err)
	}
	msg.ID, msg.Channel = "msg-2", "wechat"
	w.must(w.st.RecordSend(w.ctx, again, n.ID+"#wechat", &msg, true))
	if left, _ := w.st.OutboxEntries(w.ctx); len(left) != 0 {
		t.Fatalf("after the last send: %+v", left)
	}
	if msgs, _ := w.st.ListMessages(w.ctx, "acct-a"); len(msgs) != 2 {
		t.Fatalf("messages after the last send: %+v", msgs)
	}
	if err := w.st.RecordSend(w.ctx, again, n.ID+"#email", &msg, false); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("recording on a finished notice: %v", err)
	}
	if msgs, _ := w.st.ListMessages(w.ctx, "acct-a"); len(msgs) != 2 {
		t.Fatalf("a finished notice's late send wrote a message: %+v", msgs)
	}
	// Finishing a notice with nothing left to send.
	m := promoted("acct-b", w.now)
	w.must(w.st.PutNotice(w.ctx, m))
	held, err := w.st.TakeNotice(w.ctx, store.OutboxEntry{Notice: m}, w.now.Add(time.Minute))
	w.must(err)
	w.must(w.st.FinishNotice(w.ctx, held))
	if left, _ := w.st.OutboxEntries(w.ctx); len(left) != 0 {
		t.Fatalf("after finishing: %+v", left)
	}
}

// TestDeadLetters: dead-lettering moves the notice out of the outbox and
// records the resident's failed message, in one transaction refused to a
// dispatcher that lost the lease; officers page them newest first.
func TestDeadLetters(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for i := range 5 {
		n := promoted(fmt.Sprintf("acct-%d", i), w.now)
		w.must(w.st.PutNotice(w.ctx, n))
		e, err := w.st.TakeNotice(w.ctx, store.OutboxEntry{Notice: n}, w.now.Add(time.Minute))
		w.must(err)
		stale := e
		stale.Attempts = 7
		if err := w.st.DeadLetter(w.ctx, stale, "x", w.now, nil); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("dead letter without the lease: %v", err)
		}
		failed := store.NewMessage(string(n.Event), "sms", "failed", apperr.Text{ZH: "中", EN: "en"}, w.tick())
		w.must(w.st.DeadLetter(w.ctx, e, "no verified contact", w.now, &failed))
		ids = append(ids, n.ID)
	}
	if left, _ := w.st.OutboxEntries(w.ctx); len(left) != 0 {
		t.Fatalf("dead letters left in the outbox: %+v", left)
	}
	if msgs, _ := w.st.ListMessages(w.ctx, "acct-3"); len(msgs) != 1 || msgs[0].Status != "failed" {
		t.Fatalf("failed message %+v", msgs)
	}
	var got []string
	page := paging.Page{Limit: 2}
	for {
		dl, next, err := w.st.DeadLetters(w.ctx, page)
		w.must(err)
		for _, d := range dl {
			if d.Reason != "no verified contact" || d.Attempts != 1 || d.Account == "" || d.OfferingID != "o1" || d.FailedAt.IsZero() {
				t.Fatalf("dead letter %+v", d)
			}
			got = append(got, d.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	slices.Reverse(ids)
	if !slices.Equal(got, ids) {
		t.Fatalf("dead letters %v, want newest first %v", got, ids)
	}
}
