package local_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestCounterFindsResident: at the counter, the centre's staff find a
// resident by a number no account has: 201, created true, the link valid
// for 12 hours of the stack's clock; the same number spelt otherwise finds
// the same account (created false). The dispatcher's run texts the number
// once for each finding, naming the centre and its phone. The new account
// then signs in as a resident (POST /_local/token with its sub alone: the
// stand-in holds its residents group) and sees both messages in its own
// /v1/me/messages.
func TestCounterFindsResident(t *testing.T) {
	e := start(t)
	staff := e.tokenFor("staff-counter", []string{"centre-staff"}, e.centre.ID)
	path := "/v1/centres/" + e.centre.ID + "/assisted"

	r := e.do("POST", path, staff, map[string]any{"phone": "139 1234-0088", "name": "王奶奶"})
	e.expect(r, 201, "")
	account := r.str("account_id")
	if account == "" || r.json["created"] != true || r.str("phone_last4") != "0088" || r.str("name") != "王奶奶" {
		t.Fatalf("first finding: %s", r.body)
	}
	until, err := time.Parse(time.RFC3339, r.str("valid_until"))
	if want := e.st.Now().Add(12 * time.Hour); err != nil || until.After(want) || until.Before(want.Add(-time.Minute)) {
		t.Fatalf("valid_until %s, want the stack's now + 12 h (%v)", r.str("valid_until"), want)
	}

	r = e.do("POST", path, e.officerToken(), map[string]any{"phone": "+86 13912340088", "name": "王阿姨"})
	e.expect(r, 201, "")
	if r.str("account_id") != account || r.json["created"] != false || r.str("name") != "王奶奶" {
		t.Fatalf("second finding: %s, want %s found, named as made", r.body, account)
	}

	e.dispatch()
	msgs, evs := e.sent()
	var texts []channels.Sent
	for _, m := range msgs {
		if m.Account == account {
			texts = append(texts, m)
		}
	}
	if len(texts) != 2 {
		t.Fatalf("messages to the account: %+v, want two SMS", texts)
	}
	for _, m := range texts {
		if m.Channel != "sms" || m.To != "+8613912340088" || m.Event != string(notices.AssistedAtCounter) ||
			!strings.HasPrefix(m.Text, e.centre.Name+"工作人员正在柜台用本手机号为您办理报名") || !strings.Contains(m.Text, "请致电"+e.centre.Phone) ||
			!strings.Contains(m.Text, "Staff at "+e.centre.Name) {
			t.Errorf("message %+v, want an SMS to the number naming the centre and its phone", m)
		}
	}
	for _, ev := range evs {
		if ev.Detail.Account == account {
			t.Errorf("the counter's notice was published on the bus: %+v", ev)
		}
	}

	signIn := e.do("POST", "/_local/token", "", map[string]any{"sub": account})
	e.expect(signIn, 200, "")
	tok := signIn.str("token")
	if g, _ := claimsOf(t, tok)["cognito:groups"].([]any); !slices.Contains(g, any("residents")) {
		t.Fatalf("the account's token: groups %v, want residents", g)
	}
	e.expect(e.do("GET", "/v1/me/bookings", tok, nil), 200, "")
	r = e.do("GET", "/v1/me/messages", tok, nil)
	e.expect(r, 200, "")
	items, _ := r.json["items"].([]any)
	counted := 0
	for _, it := range items {
		if m, _ := it.(map[string]any); m["event"] == string(notices.AssistedAtCounter) && m["channel"] == "sms" && m["status"] == "sent" {
			counted++
		}
	}
	if counted != 2 {
		t.Fatalf("the resident's messages: %s, want the two counter SMS", r.body)
	}
}

// TestCounterFindOIDC: where the city's identity platform keeps the
// accounts, finding at the counter is 409 accounts_external for the
// centre's staff (a resident is still 403).
func TestCounterFindOIDC(t *testing.T) {
	e := start(t, func(o *local.Options) { o.OIDC = true })
	path := "/v1/centres/" + e.centre.ID + "/assisted"
	body := map[string]any{"phone": "13912340099", "name": "王奶奶"}
	e.expect(e.do("POST", path, e.tokenFor("staff-oidc", []string{"centre-staff"}, e.centre.ID), body), 409, "accounts_external")
	e.expect(e.do("POST", path, e.token("res-oidc", "residents"), body), 403, "forbidden")
}

// TestCounterFirstVisitToConfirmedBooking: the "done when", all
// through the gateway: a grandmother with no account comes to the desk;
// staff find her number (made, texted), register her, book this centre's
// course, and read the booking back with its code; she later signs in and
// sees the same booking, made at the counter, with the same code.
func TestCounterFirstVisitToConfirmedBooking(t *testing.T) {
	e := start(t)
	e.offering("desk-course", 10)
	staff := e.tokenFor("staff-desk", []string{"centre-staff"}, e.centre.ID)
	found := e.do("POST", "/v1/centres/"+e.centre.ID+"/assisted", staff, map[string]any{"phone": "13912340099", "name": "李奶奶"})
	e.expect(found, 201, "")
	account := found.str("account_id")
	if found.json["created"] != true {
		t.Fatalf("a first visit: %s, want a new account", found.body)
	}
	p := e.counterRegister(staff, e.centre.ID, account)
	e.expect(p, 201, "")
	b := e.do("POST", counterPath(e.centre.ID, account)+"/offerings/desk-course/bookings", staff,
		map[string]any{"participant_id": p.str("id"), "join_waitlist": true})
	e.expect(b, 201, "")
	code := b.str("code")
	if b.str("status") != "confirmed" || b.str("by") != "staff" || len(code) != 9 {
		t.Fatalf("the booking at the desk: %s", b.body)
	}
	listed := e.do("GET", counterPath(e.centre.ID, account)+"/bookings?status=confirmed", staff, nil)
	e.expect(listed, 200, "")
	if items, _ := listed.json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["code"] != code {
		t.Fatalf("the desk's list of her bookings: %s", listed.body)
	}
	if conf, _ := e.counters("desk-course"); conf != 1 {
		t.Fatalf("the course's confirmed count %d, want 1", conf)
	}

	signIn := e.do("POST", "/_local/token", "", map[string]any{"sub": account})
	e.expect(signIn, 200, "")
	mine := e.do("GET", "/v1/me/bookings", signIn.str("token"), nil)
	e.expect(mine, 200, "")
	items, _ := mine.json["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("her bookings: %s", mine.body)
	}
	if got := items[0].(map[string]any); got["id"] != b.str("id") || got["by"] != "staff" || got["code"] != code || got["status"] != "confirmed" {
		t.Fatalf("her booking %v, want %s made by staff with code %s", got, b.str("id"), code)
	}
}

// TestCounterAppliesAndAccepts: the counter's other two writes through the
// gateway. Staff apply for the resident to a lottery (by staff, audited),
// and, when a place freed at a course with offers is offered to her (she
// waited at the counter's booking), accept it for her: confirmed.
func TestCounterAppliesAndAccepts(t *testing.T) {
	e := start(t)
	e.lotteryOffering("desk-lottery", 5)
	e.offering("desk-offers", 1, func(o *domain.Offering) { o.OfferHours = 24 })
	staff := e.tokenFor("staff-desk", []string{"centre-staff"}, e.centre.ID)
	found := e.do("POST", "/v1/centres/"+e.centre.ID+"/assisted", staff, map[string]any{"phone": "13912340077", "name": "赵爷爷"})
	e.expect(found, 201, "")
	account := found.str("account_id")
	desk := counterPath(e.centre.ID, account)
	p := e.counterRegister(staff, e.centre.ID, account)
	e.expect(p, 201, "")

	app := e.do("POST", desk+"/offerings/desk-lottery/applications", staff, map[string]any{"participant_id": p.str("id")})
	e.expect(app, 201, "")
	if app.str("by") != "staff" {
		t.Fatalf("the application at the counter: %s", app.body)
	}

	first, firstP, _ := e.resident("online-first")
	ahead := e.book(first, "desk-offers", firstP, false)
	e.expect(ahead, 201, "")
	waiting := e.do("POST", desk+"/offerings/desk-offers/bookings", staff, map[string]any{"participant_id": p.str("id"), "join_waitlist": true})
	e.expect(waiting, 201, "")
	if waiting.str("status") != "waitlisted" {
		t.Fatalf("the counter's booking behind a full course: %s", waiting.body)
	}
	e.expect(e.do("POST", "/v1/me/bookings/"+ahead.str("id")+"/cancel", first, nil), 200, "")
	listed := e.do("GET", desk+"/bookings?status=offered", staff, nil)
	e.expect(listed, 200, "")
	if items, _ := listed.json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != waiting.str("id") {
		t.Fatalf("her offered bookings at this centre: %s", listed.body)
	}
	acc := e.do("POST", desk+"/bookings/"+waiting.str("id")+"/accept", staff, nil)
	e.expect(acc, 200, "")
	if acc.str("status") != "confirmed" {
		t.Fatalf("accepted at the counter: %s", acc.body)
	}

	log := e.do("GET", "/v1/centres/"+e.centre.ID+"/audit", staff, nil)
	e.expect(log, 200, "")
	seen := map[string]bool{}
	for _, it := range log.json["items"].([]any) {
		a := it.(map[string]any)
		after, _ := a["after"].(map[string]any)
		if a["actor"] == "staff-desk" && after["account"] == account {
			seen[a["action"].(string)] = true
		}
	}
	for _, want := range []string{"assist.participant", "assist.apply", "assist.book", "assist.accept"} {
		if !seen[want] {
			t.Errorf("no %s by the staff member for the account in the audit log: %v", want, seen)
		}
	}
}
