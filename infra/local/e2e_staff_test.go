package local_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
)

// TestStaffInvitations: a city officer invites a mobile number to a centre;
// the person signs in (POST /_local/token with only their sub, as Cognito
// signs a user in) and, once they have enrolled an authenticator app, their
// token carries centre-staff and that centre, from the Cognito stand-in:
// the centre's offerings answer 200, another's 404. The district officer
// adds a second centre: the next token works in both. Removing the first
// leaves the next token only the second, and signs them out everywhere;
// removing the last takes centre-staff away. Both actions are in the
// centre's audit log, the number masked.
func TestStaffInvitations(t *testing.T) {
	e := start(t)
	second := dbtest.Centre("c-binhu-2", "binhu")
	if err := e.st.Store.PutCentre(context.Background(), second, false); err != nil {
		t.Fatal(err)
	}
	first := e.centre.ID
	officer := e.token("officer-1", "city-officers")
	district, err := e.st.DistrictToken("do-binhu", "binhu")
	if err != nil {
		t.Fatal(err)
	}
	offerings := func(centre string) string { return "/v1/centres/" + centre + "/offerings" }
	signIn := func(sub string) (string, map[string]any) {
		t.Helper()
		r := e.do("POST", "/_local/token", "", map[string]any{"sub": sub})
		e.expect(r, 200, "")
		return r.str("token"), claimsOf(t, r.str("token"))
	}

	r := e.do("POST", "/v1/centres/"+first+"/staff", officer, map[string]any{"phone": "13912340077", "name": "王老师"})
	e.expect(r, 201, "")
	sub := r.str("user_id")
	if r.json["created"] != true || r.str("phone_masked") != "139****0077" {
		t.Fatalf("invitation: %s", r.body)
	}
	// A new account has no authenticator app: no staff group yet.
	tok, c := signIn(sub)
	if c["enrol:mfa_setup"] != "required" {
		t.Errorf("before TOTP: claims %v, want enrol:mfa_setup required", c)
	}
	e.expect(e.do("GET", offerings(first), tok, nil), 403, "forbidden")

	e.st.Cognito.SetTOTP(sub, true)
	tok, c = signIn(sub)
	if g, _ := c["cognito:groups"].([]any); !slices.Contains(g, any("centre-staff")) || c["custom:centre_ids"] != first {
		t.Fatalf("after TOTP: groups %v, custom:centre_ids %v", c["cognito:groups"], c["custom:centre_ids"])
	}
	e.expect(e.do("GET", offerings(first), tok, nil), 200, "")
	e.expect(e.do("GET", offerings(second.ID), tok, nil), 404, "not_found")
	e.expect(e.do("GET", "/v1/centres/"+first+"/staff", tok, nil), 200, "")
	e.expect(e.do("POST", "/v1/centres/"+first+"/staff", tok, map[string]any{"phone": "13912340078", "name": "李"}), 403, "forbidden")

	r = e.do("POST", "/v1/centres/"+second.ID+"/staff", district, map[string]any{"phone": "+8613912340077", "name": "王老师"})
	e.expect(r, 201, "")
	if r.json["created"] != false || r.str("user_id") != sub {
		t.Fatalf("second centre: %s", r.body)
	}
	e.expect(e.do("POST", "/v1/centres/"+second.ID+"/staff", officer, map[string]any{"phone": "13912340077", "name": "王老师"}), 200, "")
	tok, c = signIn(sub)
	if c["custom:centre_ids"] != first+","+second.ID {
		t.Fatalf("two centres: custom:centre_ids %v", c["custom:centre_ids"])
	}
	e.expect(e.do("GET", offerings(first), tok, nil), 200, "")
	e.expect(e.do("GET", offerings(second.ID), tok, nil), 200, "")

	e.expect(e.do("DELETE", "/v1/centres/"+first+"/staff/"+sub, officer, nil), 204, "")
	if n := e.st.Cognito.SignOuts(sub); n != 1 {
		t.Errorf("sign-outs %d, want 1", n)
	}
	next, c := signIn(sub)
	if c["custom:centre_ids"] != second.ID {
		t.Fatalf("after removal: custom:centre_ids %v, want %s", c["custom:centre_ids"], second.ID)
	}
	e.expect(e.do("GET", offerings(first), next, nil), 404, "not_found")
	e.expect(e.do("GET", offerings(second.ID), next, nil), 200, "")

	e.expect(e.do("DELETE", "/v1/centres/"+second.ID+"/staff/"+sub, district, nil), 204, "")
	last, c := signIn(sub)
	if g, _ := c["cognito:groups"].([]any); slices.Contains(g, any("centre-staff")) || c["custom:centre_ids"] != nil {
		t.Fatalf("no centre left: groups %v, custom:centre_ids %v", g, c["custom:centre_ids"])
	}
	e.expect(e.do("GET", offerings(second.ID), last, nil), 403, "forbidden")

	r = e.do("GET", "/v1/centres/"+first+"/audit", officer, nil)
	e.expect(r, 200, "")
	items, _ := r.json["items"].([]any)
	var actions []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		actions = append(actions, m["action"].(string))
	}
	if !slices.Equal(actions, []string{"staff.remove", "staff.add"}) {
		t.Errorf("audit of %s: %v, want staff.remove, staff.add", first, actions)
	}
	if strings.Contains(string(r.body), "13912340077") || !strings.Contains(string(r.body), "139****0077") {
		t.Error("the audit log shows the whole number")
	}
}

// TestStaffInvitationsOIDC: with AuthMode oidc the city's identity platform
// keeps the accounts: the staff routes answer 409 accounts_external (after
// the caller's rights: a resident is still 403), and the pool stand-in
// makes no one.
func TestStaffInvitationsOIDC(t *testing.T) {
	e := start(t, func(o *local.Options) { o.OIDC = true })
	officer := e.token("officer-oidc", "city-officers")
	path := "/v1/centres/" + e.centre.ID + "/staff"
	e.expect(e.do("POST", path, officer, map[string]any{"phone": "13912340099", "name": "王老师"}), 409, "accounts_external")
	e.expect(e.do("GET", path, officer, nil), 409, "accounts_external")
	e.expect(e.do("DELETE", path+"/someone", officer, nil), 409, "accounts_external")
	e.expect(e.do("POST", path, e.token("res-oidc", "residents"), map[string]any{"phone": "13912340099", "name": "王老师"}), 403, "forbidden")
}
