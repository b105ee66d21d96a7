package local_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/privacy"
)

// running makes an offering end two months from the stack's today, so its
// bookings are active; the fixture's own end date may be past.
func (e *env) running(o *domain.Offering) {
	o.EndsOn = e.st.Now().AddDate(0, 2, 0).In(domain.CityZone).Format(domain.DateLayout)
}

func (e *env) list(path, token string) []any {
	e.t.Helper()
	r := e.do("GET", path, token, nil)
	e.expect(r, 200, "")
	items, _ := r.json["items"].([]any)
	return items
}

// TestRightsOverHTTP: deleting a participant is refused while a booking is
// active and works once it is cancelled, leaving the roster an erased
// entry; another account's participant is 404; the export is a dated JSON
// download of everything; withdrawing consent erases the child and keeps
// the record; DELETE /v1/me cancels (the waiting person gets the place),
// erases and deletes the sign-in account, twice over; the retention job
// runs on the stack.
func TestRightsOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("live", 1, e.running)
	e.offering("past", 5) // the fixture's term is over
	staff := e.tokenFor("staff-rights", []string{"centre-staff"}, e.centre.ID)
	tokA, pA, _ := e.resident("rights-a")
	tokB, pB, _ := e.resident("rights-b")
	e.expect(e.book(tokA, "past", pA, false), 201, "")
	live := e.book(tokA, "live", pA, false)
	e.expect(live, 201, "")
	e.expect(e.book(tokB, "live", pB, true), 201, "") // waits behind A

	e.expect(e.do("DELETE", "/v1/me/participants/"+pA, tokA, nil), 409, "has_active_bookings")
	e.expect(e.do("DELETE", "/v1/me/participants/"+pA, tokB, nil), 404, "not_found")
	e.expect(e.do("DELETE", "/v1/me/participants/"+pA+"/consent", tokA, nil), 404, "not_found") // an adult: no consent record

	r := e.do("GET", "/v1/me/export", tokA, nil)
	e.expect(r, 200, "")
	today := e.st.Now().In(domain.CityZone).Format(domain.DateLayout)
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="enrol-export-`+today+`.json"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ps, bs := r.json["participants"].([]any), r.json["bookings"].([]any); len(ps) != 1 || len(bs) != 2 {
		t.Errorf("export: %s", r.body)
	}

	e.expect(e.do("POST", "/v1/me/bookings/"+live.str("id")+"/cancel", tokA, nil), 200, "")
	e.expect(e.do("DELETE", "/v1/me/participants/"+pA, tokA, nil), 204, "")
	e.expect(e.do("DELETE", "/v1/me/participants/"+pA, tokA, nil), 404, "not_found")
	if ps, bs := e.list("/v1/me/participants", tokA), e.list("/v1/me/bookings", tokA); len(ps)+len(bs) != 0 {
		t.Errorf("after deleting the only participant: %d participants, %d bookings", len(ps), len(bs))
	}
	roster := e.do("GET", "/v1/offerings/past/roster", staff, nil)
	e.expect(roster, 200, "")
	if items := roster.json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["participant"].(map[string]any)["name"] != domain.ErasedName {
		t.Errorf("the roster after erasure: %s", roster.body)
	}

	// A guardian's withdrawal: a child registered with consent is erased,
	// the consent record kept and marked withdrawn.
	tokC := e.token("rights-c", "residents")
	childBirth := e.st.Now().In(domain.CityZone).AddDate(-5, 0, 0)
	child := e.do("POST", "/v1/me/participants", tokC, map[string]any{
		"name": "撤回同意", "birth_date": childBirth.Format(domain.DateLayout), "id_number": idnumber.Make("320211", childBirth, 731),
		"guardian_consent": map[string]any{"notice_version": privacy.CurrentVersion(), "agreed": true},
	})
	e.expect(child, 201, "")
	pC := child.str("id")
	e.expect(e.do("DELETE", "/v1/me/participants/"+pC+"/consent", tokC, nil), 204, "")
	e.expect(e.do("DELETE", "/v1/me/participants/"+pC+"/consent", tokC, nil), 204, "")
	r = e.do("GET", "/v1/me/export", tokC, nil)
	e.expect(r, 200, "")
	if cs := r.json["consents"].([]any); len(r.json["participants"].([]any)) != 0 || len(cs) != 1 || cs[0].(map[string]any)["withdrawn_at"] == nil {
		t.Errorf("export after withdrawal: %s", r.body)
	}

	// The sign-in account goes too. Cognito failing is a 503 whose retry
	// finishes; the user is then gone from the pool, a second DELETE is
	// still 204, and B cannot sign in again, though the token already
	// issued reaches the API until it expires, as on AWS.
	e.st.Cognito.Fail("NotAuthorizedException")
	e.expect(e.do("DELETE", "/v1/me", tokB, nil), 503, "unavailable")
	e.st.Cognito.Fail("")
	for range 2 {
		e.expect(e.do("DELETE", "/v1/me", tokB, nil), 204, "")
	}
	if !e.st.Cognito.Deleted("rights-b") || e.st.Cognito.Deleted("rights-a") {
		t.Errorf("users deleted from the pool: rights-b %v, rights-a %v; want only rights-b", e.st.Cognito.Deleted("rights-b"), e.st.Cognito.Deleted("rights-a"))
	}
	e.expect(e.do("POST", "/_local/token", "", map[string]any{"sub": "rights-b", "groups": []string{"residents"}}), 401, "unauthorized")
	if c, w := e.counters("live"); c != 0 || w != 0 {
		t.Errorf("live after B's account went: %d confirmed, %d waiting", c, w)
	}
	r = e.do("GET", "/v1/me/export", tokB, nil)
	e.expect(r, 200, "")
	if len(r.json["participants"].([]any))+len(r.json["bookings"].([]any)) != 0 {
		t.Errorf("export after DELETE /v1/me: %s", r.body)
	}
	e.expect(e.do("POST", "/_local/schedule/RetentionFunction", "", nil), 200, "")
}

// TestNoPersonalDataInLogs: with every line that every function, the
// gateway and the stack log captured, a resident registers people with
// known names and ID numbers, sends a phone number in a header, a query and
// a body, gets refused (bad numbers, bad bodies), books, exports and
// deletes; the job runs. No line carries a name, an ID number (or a run of
// ten of its digits) or the phone number.
func TestNoPersonalDataInLogs(t *testing.T) {
	// The stack's own log (gateway, scheduler) into the functions' buffer.
	e := start(t, func(o *local.Options) { o.Log = o.FunctionLog })
	all := e.logs
	e.offering("o", 1, e.running)
	const phone = "13912345678"
	adultBirth := time.Date(1991, 4, 5, 0, 0, 0, 0, domain.CityZone)
	childBirth := time.Date(2019, 6, 7, 0, 0, 0, 0, domain.CityZone)
	adultID := idnumber.Make("320211", adultBirth, 417)
	childID := idnumber.Make("320205", childBirth, 238)
	badCheck := adultID[:17] + map[bool]string{true: "1", false: "2"}[adultID[17] != '1']
	secrets := []string{"欧阳明远", "欧阳小雨", phone, adultID, childID, badCheck}
	tok := e.token("logs-resident", "residents")
	register := func(name string, birth time.Time, id string, extra ...string) reply {
		body := fmt.Sprintf(`{"name":%q,"birth_date":%q,"id_number":%q%s}`, name, birth.Format(domain.DateLayout), id, strings.Join(extra, ""))
		return e.do("POST", "/v1/me/participants", tok, body, "X-Contact-Phone", phone)
	}
	adult := register("欧阳明远", adultBirth, adultID)
	e.expect(adult, 201, "")
	e.expect(register("欧阳小雨", childBirth, childID, `,"guardian_consent":{"notice_version":"`+privacy.CurrentVersion()+`","agreed":true}`), 201, "")
	e.expect(register("欧阳明远", adultBirth, adultID), 409, "conflict")
	e.expect(register("欧阳明远", adultBirth, badCheck), 422, "invalid_id_number")
	e.expect(register("欧阳明远", childBirth, adultID), 422, "invalid_id_number")
	e.expect(register("欧阳明远", adultBirth, adultID, `,"phone":"`+phone+`"`), 400, "invalid_request")
	e.expect(register("欧阳明远 "+phone, adultBirth, adultID[:10]), 422, "")
	e.expect(e.do("POST", "/v1/me/participants", tok, `{"name":"欧阳明远","id_number":"`+adultID+`"`), 400, "invalid_request")
	e.expect(e.do("POST", "/v1/me/participants", tok, `{"name":["欧阳明远"],"id_number":`+adultID+`}`), 400, "invalid_request")
	e.expect(e.do("GET", "/v1/offerings?district="+phone, "", nil), 400, "invalid_request")
	e.expect(e.do("GET", "/v1/me/bookings?status="+adultID, tok, nil), 400, "invalid_request")
	e.expect(e.book(tok, "o", adult.str("id"), true, "Idempotency-Key", "k-"+phone[:3]), 201, "")
	e.expect(e.do("GET", "/v1/me/export", tok, nil), 200, "")
	e.expect(e.do("DELETE", "/v1/me/participants/"+adult.str("id"), tok, nil), 409, "has_active_bookings")
	e.expect(e.do("DELETE", "/v1/me", tok, nil), 204, "")
	e.expect(e.do("POST", "/_local/schedule/RetentionFunction", "", nil), 200, "")

	text := all.String()
	if !strings.Contains(text, `"route":"DELETE /v1/me"`) || !strings.Contains(text, "RetentionFunction") {
		t.Fatalf("the capture missed lines (is every log going to it?):\n%.2000s", text)
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("a log line carries %q", s)
		}
	}
	for _, id := range []string{adultID, childID} {
		for i := 0; i+10 <= len(id); i++ {
			if run := id[i : i+10]; regexp.MustCompile(`\d{10}`).MatchString(run) && strings.Contains(text, run) {
				t.Errorf("a log line carries %q, ten digits of an ID number", run)
			}
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", text)
	}
}
