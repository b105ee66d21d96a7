package store_test

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestAssistLink: a centre's link to an account is written with its audit
// record and its notice, read back, renewed in place, and lapses at Until;
// another centre has none.
func TestAssistLink(t *testing.T) {
	w := newWorld(t)
	if _, err := w.st.GetAssistLink(w.ctx, "c1", "acct-1"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("no link yet: %v, want not_found", err)
	}
	put := func(at time.Time) store.AssistLink {
		l := store.AssistLink{CentreID: "c1", Account: "acct-1", Staff: "staff-1", PhoneLast4: "5678", At: at, Until: at.Add(12 * time.Hour)}
		n := notices.New(notices.AssistedAtCounter, at).AtCounter(domain.Centre{ID: "c1", Name: "阳光托育", Phone: "0510-82345678"})
		n.Account = "acct-1"
		w.must(w.st.PutAssistLink(w.ctx, l, store.Audit("c1", "staff-1", "assist.find", "acct-1", nil, map[string]string{"phone_last4": "5678"}, at), n))
		return l
	}
	first := put(w.tick())
	got, err := w.st.GetAssistLink(w.ctx, "c1", "acct-1")
	w.must(err)
	if got.Staff != "staff-1" || got.PhoneLast4 != "5678" || !got.At.Equal(first.At) || !got.Until.Equal(first.Until) {
		t.Fatalf("link %+v, want %+v", got, first)
	}
	if !got.Holds(first.At.Add(11*time.Hour)) || got.Holds(first.Until) {
		t.Fatalf("a link holds until Until and not at it")
	}
	later := put(first.At.Add(13 * time.Hour))
	if got, _ := w.st.GetAssistLink(w.ctx, "c1", "acct-1"); !got.Until.Equal(later.Until) {
		t.Fatalf("renewed link until %v, want %v", got.Until, later.Until)
	}
	if _, err := w.st.GetAssistLink(w.ctx, "c2", "acct-1"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another centre's link: %v, want not_found", err)
	}
	entries, _, err := w.st.ListAudit(w.ctx, "c1", paging.Page{Limit: 10})
	w.must(err)
	if len(entries) != 2 || entries[0].Action != "assist.find" || entries[0].Target != "acct-1" {
		t.Fatalf("audit %+v, want two assist.find of acct-1", entries)
	}
	out, err := w.st.OutboxEntries(w.ctx)
	w.must(err)
	told := 0
	for _, e := range out {
		if e.Event == notices.AssistedAtCounter && e.Account == "acct-1" && e.CentreID == "c1" {
			told++
			if e.CentreName != "阳光托育" || e.CentrePhone != "0510-82345678" {
				t.Errorf("the notice's centre read back as %q %q", e.CentreName, e.CentrePhone)
			}
		}
	}
	if told != 2 {
		t.Fatalf("%d notices to the resident, want one per finding (2)", told)
	}
}
