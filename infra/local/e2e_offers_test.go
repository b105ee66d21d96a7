package local_test

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

func (e *env) runJob(functionID string) {
	e.expect(e.do("POST", "/_local/schedule/"+functionID, "", nil), 200, "")
}
func (e *env) fresh(account string) string { return e.token(account, "residents") }
func (e *env) mine(tok, id string) reply   { return e.do("GET", "/v1/me/bookings/"+id, tok, nil) }
func (e *env) accept(tok, id string) reply {
	return e.do("POST", "/v1/me/bookings/"+id+"/accept", tok, nil)
}
func (e *env) cancelled(tok, id string) reply {
	return e.do("POST", "/v1/me/bookings/"+id+"/cancel", tok, nil)
}

// TestOffersWithADeadline: on an offering with offer_hours, a cancelled
// place is offered to the head of the line (offer_made), who accepts it
// (again: the same booking; another account: 404); the next freed place is
// offered on, and let pass: OffersFunction, run through the schedule route
// with the stack's clock moved on, warns it once within six hours of the
// deadline, then expires it past the deadline (offer_expired) with the
// next in line offered in the same write; accepting it then is 409
// offer_expired.
func TestOffersWithADeadline(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 9, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	e.offering("o-offers", 1, func(o *domain.Offering) { o.OfferHours = 24 })
	aTok, aP, _ := e.resident("off-a")
	bTok, bP, _ := e.resident("off-b")
	cTok, cP, _ := e.resident("off-c")
	dTok, dP, _ := e.resident("off-d")
	a := e.book(aTok, "o-offers", aP, false)
	e.expect(a, 201, "")
	b, c, d := e.book(bTok, "o-offers", bP, true), e.book(cTok, "o-offers", cP, true), e.book(dTok, "o-offers", dP, true)
	for _, r := range []reply{b, c, d} {
		e.expect(r, 201, "")
		if r.str("status") != "waitlisted" {
			t.Fatalf("joining a full offering: %s", r.body)
		}
	}

	// a cancels: b is offered the place for 24 hours.
	e.expect(e.cancelled(aTok, a.str("id")), 200, "")
	got := e.mine(bTok, b.str("id"))
	e.expect(got, 200, "")
	deadline, err := time.Parse(time.RFC3339, got.str("offer_expires_at"))
	if got.str("status") != "offered" || err != nil || deadline.Sub(e.st.Now()) < 23*time.Hour || deadline.Sub(e.st.Now()) > 24*time.Hour {
		t.Fatalf("b after a cancelled: %s", got.body)
	}
	e.toldOnce(bTok, "off-b", notices.OfferMade)
	e.expect(e.accept(aTok, b.str("id")), 404, "not_found")
	for range 2 {
		r := e.accept(bTok, b.str("id"))
		e.expect(r, 200, "")
		if r.str("status") != "confirmed" {
			t.Fatalf("accepting: %s", r.body)
		}
	}

	// b leaves after all: c is offered the place, and lets it pass.
	e.expect(e.cancelled(bTok, b.str("id")), 200, "")
	if r := e.mine(cTok, c.str("id")); r.str("status") != "offered" {
		t.Fatalf("c after b left: %s", r.body)
	}
	e.runJob("OffersFunction") // a day from the deadline: nothing to say yet
	clk.move(19 * time.Hour)
	e.runJob("OffersFunction") // within six hours: warned
	e.runJob("OffersFunction") // and only once
	cTok = e.fresh("off-c")
	e.toldOnce(cTok, "off-c", notices.OfferExpiring)

	clk.move(5*time.Hour + time.Minute)
	e.runJob("OffersFunction")
	cTok, dTok = e.fresh("off-c"), e.fresh("off-d")
	if r := e.mine(cTok, c.str("id")); r.str("status") != "expired" {
		t.Fatalf("c past the deadline: %s", r.body)
	}
	if r := e.mine(dTok, d.str("id")); r.str("status") != "offered" {
		t.Fatalf("d after c's offer expired: %s", r.body)
	}
	e.toldOnce(cTok, "off-c", notices.OfferExpired)
	e.toldOnce(dTok, "off-d", notices.OfferMade)
	e.expect(e.accept(cTok, c.str("id")), 409, "offer_expired")
	if o := e.do("GET", "/v1/offerings/o-offers", "", nil); o.num("confirmed") != 0 || o.num("offered") != 1 || o.num("waitlisted") != 0 || o.num("available") != 0 {
		t.Fatalf("the offering: %s", o.body)
	}
}
