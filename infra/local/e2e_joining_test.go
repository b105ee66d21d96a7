package local_test

import (
	"encoding/json"
	"testing"
)

// TestCentreJoinsTheProgramme is issue 19's journey through the gateway: the
// district officer registers a centre (a draft), invites its director by
// phone; the director signs in and prepares the first course, which cannot
// be published until the district officer activates the centre; then it is
// published, a resident books, and the places are in the city's figures and
// the district's, and in no other district's.
func TestCentreJoinsTheProgramme(t *testing.T) {
	e := start(t)
	// Figures elsewhere in the city, so that "the district's only" shows.
	e.offering("o-binhu-elsewhere", 12)
	city := e.officerToken()
	xinwu := e.districtToken("officer-xinwu", "xinwu")
	binhu := e.districtToken("officer-binhu", "binhu")
	capacity := func(tok string) registryCapacity {
		t.Helper()
		r := e.do("GET", "/v1/city/capacity", tok, nil)
		e.expect(r, 200, "")
		var c registryCapacity
		if err := json.Unmarshal(r.body, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	cityBefore, xinwuBefore, binhuBefore := capacity(city), capacity(xinwu), capacity(binhu)

	r := e.do("POST", "/v1/centres", xinwu, map[string]any{"name": "新吴区硕放青年夜校", "district": "xinwu",
		"licence_no": "320214-XX-0031", "address": "无锡市新吴区硕放街道南开路 88 号", "phone": "0510-85312288",
		"kinds": []string{"evening_course"}, "location": map[string]float64{"lat": 31.47, "lng": 120.43}})
	e.expect(r, 201, "")
	centre := r.str("id")
	if r.str("status") != "draft" {
		t.Fatalf("registered: %s", r.body)
	}
	r = e.do("POST", "/v1/centres/"+centre+"/staff", xinwu, map[string]any{"phone": "13900310031", "name": "陈主任"})
	e.expect(r, 201, "")
	director := r.str("user_id")
	e.st.Cognito.SetTOTP(director, true) // enrolled an authenticator app at first sign-in
	signIn := e.do("POST", "/_local/token", "", map[string]any{"sub": director})
	e.expect(signIn, 200, "")
	staff := signIn.str("token")

	r = e.do("POST", "/v1/centres/"+centre+"/offerings", staff, e.newOfferingBody("draft"))
	e.expect(r, 201, "")
	offering := r.str("id")
	e.expect(e.do("PATCH", "/v1/offerings/"+offering, staff, map[string]any{"status": "published"}), 409, "centre_not_active")
	// Activating is the officers' (the director may not).
	e.expect(e.do("PATCH", "/v1/centres/"+centre, staff, map[string]any{"status": "active"}), 403, "forbidden")
	r = e.do("PATCH", "/v1/centres/"+centre, xinwu, map[string]any{"status": "active"})
	e.expect(r, 200, "")
	if r.str("status") != "active" {
		t.Fatalf("activated: %s", r.body)
	}
	e.expect(e.do("PATCH", "/v1/offerings/"+offering, staff, map[string]any{"status": "published"}), 200, "")
	e.expect(e.do("GET", "/v1/centres/"+centre, "", nil), 200, "")

	rTok, rP, _ := e.resident("joining-resident")
	e.expect(e.book(rTok, offering, rP, false), 201, "")

	places := e.newOfferingBody("published")["capacity"].(int)
	cityAfter, xinwuAfter, binhuAfter := capacity(city), capacity(xinwu), capacity(binhu)
	for _, c := range []struct {
		name          string
		before, after registryCapacity
		places, extra int
	}{
		{"the city", cityBefore, cityAfter, places, 1},
		{"Xinwu", xinwuBefore, xinwuAfter, places, 1},
		{"Binhu", binhuBefore, binhuAfter, 0, 0},
	} {
		b, a := c.before.Total, c.after.Total
		if a.Capacity-b.Capacity != c.places || a.Confirmed-b.Confirmed != c.extra || a.Centres-b.Centres != c.extra || a.Offerings-b.Offerings != c.extra {
			t.Errorf("%s: before %+v, after %+v; want +%d places, +%d confirmed, centre and offering", c.name, b, a, c.places, c.extra)
		}
	}
	if xinwuAfter.District != "xinwu" || binhuAfter.District != "binhu" {
		t.Errorf("district views: %q, %q", xinwuAfter.District, binhuAfter.District)
	}
	// The registry lists it, active, for the district and the city.
	for _, tok := range []string{xinwu, city} {
		r = e.do("GET", "/v1/city/centres?district=xinwu&status=active", tok, nil)
		e.expect(r, 200, "")
		found := false
		for _, it := range r.json["items"].([]any) {
			found = found || it.(map[string]any)["id"] == centre
		}
		if !found {
			t.Errorf("registry: %s", r.body)
		}
	}
}
