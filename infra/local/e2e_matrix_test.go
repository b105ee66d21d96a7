package local_test

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// The roles of the authorization matrix: a resident, the staff of the
// centre a route is about and of another, a city officer, the district
// officers of the centre's district and of another, and no token.
const (
	asResident      = "resident"
	asOwnStaff      = "own staff"
	asOtherStaff    = "other staff"
	asCityOfficer   = "city officer"
	asOwnDistrict   = "district officer"
	asOtherDistrict = "other district officer"
	asNobody        = "no token"
)

var matrixRoles = []string{asResident, asOwnStaff, asOtherStaff, asCityOfficer, asOwnDistrict, asOtherDistrict, asNobody}

// access is who may use a route, and what the others get.
type access int

const (
	forAnyone         access = iota // anyone, with or without a token
	forResidents                    // residents only: everyone else 403
	forCentre                       // staff of the centre, city officers, the centre's district officer; other centres 404
	forCityReaders                  // city officers and district officers (their own district); residents and staff 403
	forCityWriters                  // city officers only
	forCentreOfficers               // city officers and the centre\'s district officer; staff 403, other districts 404
)

// refusal is what role gets from a route of access a, where it is refused:
// ok is false when the role is let in.
func (a access) refusal(role string) (status int, code string, refused bool) {
	if role == asNobody && a != forAnyone {
		return 401, "unauthorized", true
	}
	switch a {
	case forResidents:
		if role != asResident {
			return 403, "forbidden", true
		}
	case forCentre:
		switch role {
		case asResident:
			return 403, "forbidden", true
		case asOtherStaff, asOtherDistrict:
			return 404, "not_found", true
		}
	case forCityReaders:
		switch role {
		case asResident, asOwnStaff, asOtherStaff, asOtherDistrict:
			return 403, "forbidden", true
		}
	case forCityWriters:
		if role != asCityOfficer {
			return 403, "forbidden", true
		}
	case forCentreOfficers:
		switch role {
		case asResident, asOwnStaff, asOtherStaff:
			return 403, "forbidden", true
		case asOtherDistrict:
			return 404, "not_found", true
		}
	}
	return 0, "", false
}

// matrixRoute is one route of template.yaml as the matrix calls it. In
// path and body, {role} becomes the role's slug, for a resource each role
// that is let in needs its own of (an offering to cancel).
type matrixRoute struct {
	key    string // API Gateway's route key, as in template.yaml
	path   string
	body   func(role string) any
	access access
	ok     int // the status of a role let in
	// setup, if set, makes the role's own resource before the call.
	setup func(slug string)
	// otherDistrictOK: a city view a district officer of another
	// district reads for their own district (it takes no district).
	otherDistrictOK bool
	// pathFor, if set, is the path for the role's slug (after setup).
	pathFor func(slug string) string
	// residentToken, if set, is the resident's token for this route (one
	// that must not touch the resident the other routes use).
	residentToken string
}

// TestAuthorizationMatrix calls every route of template.yaml as every role:
// the centre's staff, another centre's, a city officer, the district
// officers of the centre's district and of another, a resident and no
// token. A route added to the template and missing here fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	other := dbtest.Centre("c-other", "xishan")
	if err := e.st.Store.PutCentre(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	mine := e.centre.ID // in binhu
	e.offering("o-mine", 50)
	rTok, rP, idNumber := e.resident("res-1")
	booked := e.book(rTok, "o-mine", rP, false)
	e.expect(booked, 201, "")
	bookingID := booked.str("id")
	lottery := e.lotteryOffering("o-lottery", 5)
	// A lottery whose applications have closed: a claim there is 409 for
	// whoever may decide it (and, like any other, not found for the rest).
	closedAt, openedAt := e.st.Now().Add(-time.Minute), e.st.Now().Add(-2*time.Hour)
	closed := dbtest.Offering("o-lottery-closed", e.centre, 5, e.st.Now(), func(o *domain.Offering) {
		drawAt := e.st.Now().Add(time.Hour)
		o.Allocation, o.OfferHours = domain.Lottery, domain.DefaultLotteryOfferHours
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt, o.BookingOpensAt = &openedAt, &closedAt, &drawAt, drawAt
	})
	if err := e.st.Store.PutOffering(ctx, closed, false); err != nil {
		t.Fatal(err)
	}
	applied := e.do("POST", "/v1/offerings/"+lottery+"/applications", rTok, map[string]any{"participant_id": rP})
	e.expect(applied, 201, "")
	applicationID := applied.str("id")
	policyBody := map[string]any{"tiers": []map[string]string{
		{"code": "dual_worker", "zh": "双职工家庭", "en": "Both parents work", "evidence": "劳动合同"},
		{"code": "general", "zh": "其他", "en": "Everyone else", "evidence": ""}}}
	e.expect(e.do("PUT", "/v1/city/priority-policies/childcare", e.officerToken(), policyBody), 201, "")

	tokens := map[string]string{
		asResident:      rTok,
		asOwnStaff:      e.tokenFor("staff-1", []string{"centre-staff"}, mine),
		asOtherStaff:    e.tokenFor("staff-2", []string{"centre-staff"}, other.ID),
		asCityOfficer:   e.officerToken(),
		asOwnDistrict:   e.districtToken("officer-binhu", "binhu"),
		asOtherDistrict: e.districtToken("officer-xishan", "xishan"),
		asNobody:        "",
	}
	// The counter (issue 20): the centre's link to the matrix's resident
	// holds, so a refusal there is by role, not for want of a link.
	e.link(mine, "res-1", e.st.Now(), e.st.Now().Add(12*time.Hour))
	counter := counterPath(mine, "res-1")
	o, err := e.st.Store.GetOffering(ctx, "o-mine")
	if err != nil {
		t.Fatal(err)
	}
	session := o.Schedule.Sessions[0]
	body := func(v any) func(string) any { return func(string) any { return v } }
	leaving := map[string]string{} // a staff member for each role to remove
	routes := []matrixRoute{
		// Anyone.
		{key: "GET /v1/centres", path: "/v1/centres", access: forAnyone, ok: 200},
		{key: "GET /v1/centres/{centre_id}", path: "/v1/centres/" + mine, access: forAnyone, ok: 200},
		{key: "GET /v1/offerings", path: "/v1/offerings", access: forAnyone, ok: 200},
		{key: "GET /v1/offerings/{offering_id}", path: "/v1/offerings/o-mine", access: forAnyone, ok: 200},
		{key: "GET /v1/offerings/{offering_id}/draw", path: "/v1/offerings/" + lottery + "/draw", access: forAnyone, ok: 200},
		{key: "GET /v1/privacy-notice", path: "/v1/privacy-notice", access: forAnyone, ok: 200},
		{key: "GET /v1/rounds", path: "/v1/rounds", access: forAnyone, ok: 200},
		{key: "GET /v1/rounds/{round_id}", path: "/v1/rounds/rd-none", access: forAnyone, ok: 404},
		{key: "GET /v1/rounds/{round_id}/draw", path: "/v1/rounds/rd-none/draw", access: forAnyone, ok: 404},
		{key: "GET /v1/city/priority-policies/{kind}", path: "/v1/city/priority-policies/childcare", access: forAnyone, ok: 200},
		{key: "GET /v1/calendar-feeds/{token}", path: "/v1/calendar-feeds/not-a-feed", access: forAnyone, ok: 404},

		// Residents, for themselves (the resident's own data: nobody else's
		// token reaches it, whatever their role).
		{key: "GET /v1/me/participants", path: "/v1/me/participants", access: forResidents, ok: 200},
		{key: "POST /v1/me/participants", path: "/v1/me/participants", access: forResidents, ok: 422, body: body(map[string]any{"name": "x"})},
		{key: "DELETE /v1/me/participants/{participant_id}", path: "/v1/me/participants/p-none", access: forResidents, ok: 404},
		{key: "DELETE /v1/me/participants/{participant_id}/consent", path: "/v1/me/participants/p-none/consent", access: forResidents, ok: 404},
		{key: "GET /v1/me/bookings", path: "/v1/me/bookings", access: forResidents, ok: 200},
		{key: "GET /v1/me/bookings/{booking_id}", path: "/v1/me/bookings/" + bookingID, access: forResidents, ok: 200},
		{key: "POST /v1/me/bookings/{booking_id}/accept", path: "/v1/me/bookings/" + bookingID + "/accept", access: forResidents, ok: 200},
		{key: "POST /v1/me/bookings/{booking_id}/cancel", path: "/v1/me/bookings/bk-none/cancel", access: forResidents, ok: 404},
		{key: "POST /v1/offerings/{offering_id}/bookings", path: "/v1/offerings/o-mine/bookings", access: forResidents, ok: 409,
			body: body(map[string]any{"participant_id": rP, "join_waitlist": false})},
		{key: "POST /v1/offerings/{offering_id}/applications", path: "/v1/offerings/o-mine/applications", access: forResidents, ok: 409,
			body: body(map[string]any{"participant_id": rP})},
		{key: "POST /v1/rounds/{round_id}/applications", path: "/v1/rounds/rd-none/applications", access: forResidents, ok: 404,
			body: body(map[string]any{"participant_id": rP, "choices": []string{"o-mine"}})},
		{key: "GET /v1/me/applications", path: "/v1/me/applications", access: forResidents, ok: 200},
		{key: "GET /v1/me/applications/{application_id}", path: "/v1/me/applications/" + applicationID, access: forResidents, ok: 200},
		{key: "POST /v1/me/applications/{application_id}/withdraw", path: "/v1/me/applications/ap-none/withdraw", access: forResidents, ok: 404},
		{key: "GET /v1/me/export", path: "/v1/me/export", access: forResidents, ok: 200},
		{key: "GET /v1/me/messages", path: "/v1/me/messages", access: forResidents, ok: 200},
		{key: "GET /v1/me/message-preferences", path: "/v1/me/message-preferences", access: forResidents, ok: 200},
		{key: "PUT /v1/me/message-preferences", path: "/v1/me/message-preferences", access: forResidents, ok: 400, body: body(map[string]any{"colour": "red"})},
		{key: "GET /v1/me/calendar.ics", path: "/v1/me/calendar.ics", access: forResidents, ok: 200},
		{key: "POST /v1/me/calendar-feed", path: "/v1/me/calendar-feed", access: forResidents, ok: 201},
		{key: "DELETE /v1/me/calendar-feed", path: "/v1/me/calendar-feed", access: forResidents, ok: 204},
		// Another resident's account: deleting erases bookings and applications.
		{key: "DELETE /v1/me", path: "/v1/me", access: forResidents, ok: 204, residentToken: e.token("res-leaving", "residents")},

		// A centre's staff, its district's officer and city officers.
		{key: "GET /v1/centres/{centre_id}/offerings", path: "/v1/centres/" + mine + "/offerings", access: forCentre, ok: 200},
		{key: "POST /v1/centres/{centre_id}/offerings", path: "/v1/centres/" + mine + "/offerings", access: forCentre, ok: 201,
			body: func(string) any { return e.newOfferingBody("draft") }},
		{key: "GET /v1/centres/{centre_id}/audit", path: "/v1/centres/" + mine + "/audit", access: forCentre, ok: 200},
		{key: "PATCH /v1/offerings/{offering_id}", path: "/v1/offerings/o-mine", access: forCentre, ok: 200,
			body: body(map[string]any{"title": "锡青夜校 · 新标题"})},
		{key: "POST /v1/offerings/{offering_id}/cancel", path: "/v1/offerings/o-cancel-{role}/cancel", access: forCentre, ok: 200,
			body: body(map[string]any{"reason": "场地维修"}), setup: func(slug string) { e.offering("o-cancel-"+slug, 5) }},
		{key: "GET /v1/offerings/{offering_id}/roster", path: "/v1/offerings/o-mine/roster?format=csv", access: forCentre, ok: 200},
		{key: "PUT /v1/offerings/{offering_id}/attendance/{date}", path: "/v1/offerings/o-mine/attendance/" + session, access: forCentre, ok: 200,
			body: body(map[string]any{"records": []map[string]string{{"booking_id": bookingID, "status": "present"}}})},
		{key: "GET /v1/offerings/{offering_id}/attendance", path: "/v1/offerings/o-mine/attendance", access: forCentre, ok: 200},
		{key: "POST /v1/offerings/{offering_id}/roster/{booking_id}/verify-identity", path: "/v1/offerings/o-mine/roster/" + bookingID + "/verify-identity",
			access: forCentre, ok: 200, body: body(map[string]any{"id_number": idNumber, "document": "resident_id_card"})},
		{key: "POST /v1/offerings/{offering_id}/draw", path: "/v1/offerings/" + lottery + "/draw", access: forCentre, ok: 409},
		{key: "GET /v1/offerings/{offering_id}/applications", path: "/v1/offerings/" + lottery + "/applications", access: forCentre, ok: 200},
		{key: "GET /v1/offerings/{offering_id}/applications/{application_id}", path: "/v1/offerings/" + lottery + "/applications/" + applicationID, access: forCentre, ok: 200},
		{key: "POST /v1/offerings/{offering_id}/applications/{application_id}/claims", path: "/v1/offerings/o-lottery-closed/applications/" + applicationID + "/claims",
			access: forCentre, ok: 409, body: body(map[string]any{"code": "dual_worker", "decision": "confirmed"})},

		// The registry: city officers anywhere, district officers in their
		// district (registering in another is 403, another's centre 404).
		{key: "GET /v1/city/centres", path: "/v1/city/centres?district=binhu", access: forCityReaders, ok: 200},
		{key: "GET /v1/city/centres/{centre_id}", path: "/v1/city/centres/" + mine, access: forCentreOfficers, ok: 200},
		{key: "POST /v1/centres", path: "/v1/centres", access: forCityReaders, ok: 201, body: body(map[string]any{
			"name": "滨湖区新芽托育园", "district": "binhu", "licence_no": "320211-TY-0007", "address": "无锡市滨湖区蠡湖大道 1 号",
			"phone": "0510-85550007", "kinds": []string{"childcare"}})},
		{key: "PATCH /v1/centres/{centre_id}", path: "/v1/centres/" + mine, access: forCentreOfficers, ok: 200,
			body: body(map[string]any{"phone": "0510-82345678"})},
		{key: "POST /v1/centres/{centre_id}/suspend", path: "/v1/centres/c-suspend-{role}/suspend", access: forCentreOfficers, ok: 200,
			body: body(map[string]any{"reason": "消防检查未通过"}), setup: func(slug string) {
				if err := e.st.Store.PutCentre(ctx, dbtest.Centre("c-suspend-"+slug, "binhu"), true); err != nil {
					t.Fatal(err)
				}
			}},

		// Booking at the counter: staff act for the resident, at their own centre.
		{key: "GET /v1/centres/{centre_id}/assisted/{account_id}/participants", path: counter + "/participants", access: forCentre, ok: 200},
		{key: "POST /v1/centres/{centre_id}/assisted/{account_id}/participants", path: counter + "/participants", access: forCentre, ok: 422, body: body(map[string]any{"name": "x"})},
		{key: "POST /v1/centres/{centre_id}/assisted/{account_id}/offerings/{offering_id}/bookings", path: counter + "/offerings/o-mine/bookings", access: forCentre, ok: 409,
			body: body(map[string]any{"participant_id": rP, "join_waitlist": false})},
		{key: "POST /v1/centres/{centre_id}/assisted/{account_id}/offerings/{offering_id}/applications", path: counter + "/offerings/o-mine/applications", access: forCentre, ok: 409,
			body: body(map[string]any{"participant_id": rP})},
		{key: "GET /v1/centres/{centre_id}/assisted/{account_id}/bookings", path: counter + "/bookings", access: forCentre, ok: 200},
		{key: "POST /v1/centres/{centre_id}/assisted/{account_id}/bookings/{booking_id}/cancel", path: counter + "/bookings/bk-none/cancel", access: forCentre, ok: 404},
		{key: "POST /v1/centres/{centre_id}/assisted/{account_id}/bookings/{booking_id}/accept", path: counter + "/bookings/" + bookingID + "/accept", access: forCentre, ok: 200},

		// A centre's staff list: its staff read it; officers invite and remove.
		{key: "GET /v1/centres/{centre_id}/staff", path: "/v1/centres/" + mine + "/staff", access: forCentre, ok: 200},
		// At the counter: the centre's staff (and officers) find a resident by phone.
		{key: "POST /v1/centres/{centre_id}/assisted", path: "/v1/centres/" + mine + "/assisted", access: forCentre, ok: 201,
			body: func(role string) any { return map[string]any{"phone": phoneOf("counter " + role), "name": "王奶奶"} }},
		{key: "POST /v1/centres/{centre_id}/staff", path: "/v1/centres/" + mine + "/staff", access: forCentreOfficers, ok: 201,
			body: func(role string) any { return map[string]any{"phone": phoneOf(role), "name": "员工" + role} }},
		{key: "DELETE /v1/centres/{centre_id}/staff/{user_id}", access: forCentreOfficers, ok: 204,
			setup: func(slug string) {
				r := e.do("POST", "/v1/centres/"+mine+"/staff", e.officerToken(), map[string]any{"phone": phoneOf("leaving " + slug), "name": "离职员工"})
				e.expect(r, 201, "")
				leaving[slug] = r.str("user_id")
			},
			pathFor: func(slug string) string { return "/v1/centres/" + mine + "/staff/" + cmp.Or(leaving[slug], "u-none") }},

		// The city's views: city officers, and district officers for their
		// own district (naming another is 403).
		{key: "GET /v1/city/capacity", path: "/v1/city/capacity?district=binhu", access: forCityReaders, ok: 200},
		{key: "GET /v1/city/capacity/history", path: "/v1/city/capacity/history?district=binhu", access: forCityReaders, ok: 200},
		{key: "GET /v1/city/capacity/changes", path: "/v1/city/capacity/changes?district=binhu", access: forCityReaders, ok: 200},
		{key: "GET /v1/city/demand", path: "/v1/city/demand?district=binhu", access: forCityReaders, ok: 200},
		{key: "GET /v1/city/targets", path: "/v1/city/targets", access: forCityReaders, ok: 200, otherDistrictOK: true},
		{key: "GET /v1/city/message-failures", path: "/v1/city/message-failures", access: forCityReaders, ok: 200, otherDistrictOK: true},
		{key: "GET /v1/city/priority-policies/{kind}/versions", path: "/v1/city/priority-policies/childcare/versions", access: forCityReaders, ok: 200, otherDistrictOK: true},
		{key: "GET /v1/city/priority-policies/{kind}/versions/{version}", path: "/v1/city/priority-policies/childcare/versions/1", access: forCityReaders, ok: 200, otherDistrictOK: true},

		// The city's decisions: city officers only.
		{key: "PUT /v1/city/priority-policies/{kind}", path: "/v1/city/priority-policies/care_class", access: forCityWriters, ok: 201, body: body(policyBody)},
		{key: "PUT /v1/city/targets/{year}/{kind}", path: "/v1/city/targets/2027/childcare", access: forCityWriters, ok: 201,
			body: body(map[string]any{"target": 2500, "title": "新增普惠性托位"})},
		{key: "POST /v1/city/rounds", path: "/v1/city/rounds", access: forCityWriters, ok: 400, body: body(map[string]any{"colour": "red"})},
		{key: "POST /v1/rounds/{round_id}/draw", path: "/v1/rounds/rd-none/draw", access: forCityWriters, ok: 404},
	}

	tpl, err := samtemplate.Load(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	var inTemplate, inMatrix []string
	for _, r := range tpl.Routes() {
		inTemplate = append(inTemplate, r.Key())
	}
	for _, r := range routes {
		inMatrix = append(inMatrix, r.key)
	}
	slices.Sort(inTemplate)
	slices.Sort(inMatrix)
	if !slices.Equal(inTemplate, inMatrix) {
		t.Fatalf("the matrix must call every route of template.yaml once:\n template: %q\n matrix:   %q", inTemplate, inMatrix)
	}

	for _, rt := range routes {
		for _, role := range matrixRoles {
			t.Run(rt.key+"/"+role, func(t *testing.T) {
				slug := strings.ReplaceAll(role, " ", "-")
				status, code, refused := rt.access.refusal(role)
				if refused && role == asOtherDistrict && rt.otherDistrictOK {
					status, code, refused = 0, "", false
				}
				if !refused {
					status = rt.ok
				}
				// Every role gets its resource, so a refusal is of one that exists.
				if rt.setup != nil {
					rt.setup(slug)
				}
				path := strings.ReplaceAll(rt.path, "{role}", slug)
				if rt.pathFor != nil {
					path = rt.pathFor(slug)
				}
				var b any
				if rt.body != nil {
					b = rt.body(role)
				}
				tok := tokens[role]
				if role == asResident && rt.residentToken != "" {
					tok = rt.residentToken
				}
				got := e.on(t).do(methodOf(rt.key), path, tok, b)
				if got.status != status || refused && got.str("code") != code {
					t.Fatalf("%s %s as %s: %d %s, want %d %s", methodOf(rt.key), path, role, got.status, got.body, status, code)
				}
			})
		}
	}
	// Unknown centres and offerings are not found for officers too.
	for _, role := range []string{asCityOfficer, asOwnDistrict} {
		e.expect(e.do("GET", "/v1/centres/nope/offerings", tokens[role], nil), 404, "not_found")
		e.expect(e.do("PATCH", "/v1/offerings/nope", tokens[role], map[string]any{"title": "x"}), 404, "not_found")
	}
}

// phoneOf is a mainland mobile number made from s.
func phoneOf(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("+86139%08d", h.Sum32()%100000000)
}

func methodOf(key string) string { return key[:strings.IndexByte(key, ' ')] }

// districtToken is a token of the district officer sub of district.
func (e *env) districtToken(sub, district string) string {
	e.t.Helper()
	tok, err := e.st.DistrictToken(sub, district)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}
