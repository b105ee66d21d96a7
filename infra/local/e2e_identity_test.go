package local_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestBorrowedNumber is the borrowed-number scenario through the
// gateway. A parent registers their child; a stranger who knows the
// child's ID number registers it in their own account, books, and uses up
// the child's term limit, so the parent's next booking fails. The centre
// verifies the child for the parent at the parent's booking: the
// stranger's booking is cancelled (by the system, with a reason, a message
// and an audit record; its place goes to the waitlist), the parent can
// book, and the stranger can neither book nor register the child again.
// Nothing the stranger is told names the parent's offering or account.
func TestBorrowedNumber(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	teen := func(o *domain.Offering) { o.MinAgeMonths, o.MaxPerParticipantPerTerm = 12*12, 2 }
	e.offering("v-parent", 5, teen)
	e.offering("v-stranger", 1, teen)
	e.offering("v-later", 5, teen)
	staff := e.tokenFor("staff-v", []string{"centre-staff"}, e.centre.ID)

	// A 15-year-old: old enough that registering needs no guardian's consent.
	birth := time.Date(2010, 5, 10, 0, 0, 0, 0, domain.CityZone)
	number := idnumber.Make("320211", birth, 417)
	child := map[string]any{"name": "李小川", "birth_date": birth.Format(domain.DateLayout), "id_number": number}
	parent, stranger := e.token("parent-v", "residents"), e.token("stranger-v", "residents")
	var toStranger []reply // every answer the stranger gets
	asStranger := func(method, path string, body any) reply {
		r := e.do(method, path, stranger, body)
		toStranger = append(toStranger, r)
		return r
	}

	r := e.do("POST", "/v1/me/participants", parent, child)
	e.expect(r, 201, "")
	childID := r.str("id")
	if r.json["verified"] != false {
		t.Errorf("a new participant: verified %v", r.json["verified"])
	}
	r = e.book(parent, "v-parent", childID, false)
	e.expect(r, 201, "")
	parentBooking := r.str("id")

	r = asStranger("POST", "/v1/me/participants", child)
	e.expect(r, 201, "")
	borrowedID := r.str("id")
	e.expect(asStranger("POST", "/v1/offerings/v-parent/bookings", map[string]any{"participant_id": borrowedID}), 409, "already_booked")
	r = asStranger("POST", "/v1/offerings/v-stranger/bookings", map[string]any{"participant_id": borrowedID})
	e.expect(r, 201, "")
	strangerBooking := r.str("id")
	// Someone else waits for the stranger's place.
	otherToken, _, _ := e.resident("other-v")
	e.expect(e.do("POST", "/v1/me/participants", otherToken, map[string]any{"name": "王小林", "birth_date": "2010-06-01", "id_number": idnumber.Make("320211", time.Date(2010, 6, 1, 0, 0, 0, 0, domain.CityZone), 418)}), 201, "")
	kids := e.do("GET", "/v1/me/participants", otherToken, nil)
	teenID := kids.json["items"].([]any)[1].(map[string]any)["id"].(string)
	r = e.book(otherToken, "v-stranger", teenID, true)
	e.expect(r, 201, "")
	waiting := r.str("id")

	// The child's term limit (2) is used up: the parent cannot book.
	e.expect(e.book(parent, "v-later", childID, false), 409, "term_limit_reached")

	// The centre checks the child's document at the parent's booking.
	verify := "/v1/offerings/v-parent/roster/" + parentBooking + "/verify-identity"
	e.expect(e.do("POST", verify, staff, map[string]any{"id_number": idnumber.Make("320211", birth, 416), "document": "household_register"}), 422, "invalid_id_number")
	r = e.do("POST", verify, staff, map[string]any{"id_number": number, "document": "household_register"})
	e.expect(r, 200, "")
	if r.json["verified"] != true || r.str("participant_id") != childID || r.str("verified_by") != "staff-v" {
		t.Errorf("verification %s", r.body)
	}

	// The stranger's booking is cancelled and its place taken by the head of the line.
	r = asStranger("GET", "/v1/me/bookings/"+strangerBooking, nil)
	if r.str("status") != "cancelled" || r.str("cancelled_by") != "system" || r.str("cancel_reason") == "" {
		t.Errorf("the stranger's booking: %s", r.body)
	}
	if r := e.do("GET", "/v1/me/bookings/"+waiting, otherToken, nil); r.str("status") != "confirmed" {
		t.Errorf("the waiting booking: %s", r.body)
	}
	// The stranger is told: one notice waits in the outbox, or the
	// dispatcher (on its schedule) has already sent it as a message.
	queued, sent := 0, 0
	outbox, err := e.st.Store.OutboxEntries(ctx)
	for _, n := range outbox {
		if n.Account == "stranger-v" && n.Event == notices.VerifiedElsewhere && n.BookingID == strangerBooking {
			queued++
		}
	}
	msgs, err2 := e.st.Store.ListMessages(ctx, "stranger-v")
	for _, m := range msgs {
		if m.Event == string(notices.VerifiedElsewhere) {
			sent++
		}
	}
	if err != nil || err2 != nil || queued > 1 || queued+sent == 0 {
		t.Errorf("the stranger's notices: %d in the outbox, %d sent (%v, %v)", queued, sent, err, err2)
	}
	audit := e.do("GET", "/v1/centres/"+e.centre.ID+"/audit", staff, nil)
	actions := map[string]string{}
	for _, a := range audit.json["items"].([]any) {
		m := a.(map[string]any)
		actions[m["action"].(string)+" "+m["target"].(string)] = m["actor"].(string)
	}
	if actions["participant.verified "+parentBooking] != "staff-v" || actions["booking.cancel "+strangerBooking] != "system" {
		t.Errorf("audit log: %v", actions)
	}
	if strings.Contains(string(audit.body), number) {
		t.Error("the audit log holds the ID number")
	}

	// The parent now books; their participant shows verified, and so does the roster.
	e.expect(e.book(parent, "v-later", childID, false), 201, "")
	r = e.do("GET", "/v1/me/participants", parent, nil)
	if p := r.json["items"].([]any)[0].(map[string]any); p["verified"] != true || p["verified_at"] == nil {
		t.Errorf("the parent's participant: %v", p)
	}
	r = e.do("GET", "/v1/offerings/v-parent/roster", staff, nil)
	if line := r.json["items"].([]any)[0].(map[string]any); line["verified"] != true {
		t.Errorf("roster line %v", line)
	}
	e.expect(e.do("GET", "/v1/offerings/v-parent/roster?format=csv", staff, nil), 200, "")
	audit = e.do("GET", "/v1/centres/"+e.centre.ID+"/audit?limit=3", staff, nil)
	if a := audit.json["items"].([]any); a[0].(map[string]any)["action"] != "roster.exported" || a[1].(map[string]any)["action"] != "roster.viewed" {
		t.Errorf("roster views not audited: %s", audit.body)
	}

	// The stranger can neither book nor register the child again.
	e.expect(asStranger("POST", "/v1/offerings/v-later/bookings", map[string]any{"participant_id": borrowedID}), 409, "conflict")
	e.expect(asStranger("POST", "/v1/me/participants", child), 409, "conflict")
	r = e.do("POST", "/v1/me/participants", e.token("stranger-v2", "residents"), child)
	e.expect(r, 409, "conflict")
	toStranger = append(toStranger, r, asStranger("GET", "/v1/me/bookings", nil), asStranger("GET", "/v1/me/participants", nil))

	for _, r := range toStranger {
		for _, secret := range []string{"v-parent", "parent-v", childID, parentBooking, "测试课程 v-parent"} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("the stranger is told %q: %s", secret, r.body)
			}
		}
	}

	// The city counts who is registered and who is verified.
	r = e.do("GET", "/v1/city/capacity", e.officerToken(), nil)
	var counts struct{ Registered, Verified int }
	raw, _ := json.Marshal(r.json["participants"])
	if err := json.Unmarshal(raw, &counts); err != nil || counts.Registered != 4 || counts.Verified != 1 {
		t.Errorf("city participants %s, want 4 registered (parent's, stranger's, the other's two) and 1 verified", raw)
	}
}
