package local_test

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// claimsOf reads a token's payload (the gateway checked its signature).
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSelfSignUp: a mainland mobile number signs up through the user
// pool's triggers (AccountsFunction: PreSignUp, PostConfirmation); the new
// user's token carries residents and they can register a participant.
// Any other number is refused, in Chinese and English, and no one is made.
func TestSelfSignUp(t *testing.T) {
	e := start(t)
	r := e.do("POST", "/_local/signup", "", map[string]any{"phone": "+8613912345678"})
	e.expect(r, 200, "")
	token, sub := r.str("token"), r.str("sub")
	if g := e.st.Cognito.Groups(sub); !slices.Equal(g, []string{"residents"}) {
		t.Errorf("the pool has the new user in %v, want [residents]", g)
	}
	if g, _ := claimsOf(t, token)["cognito:groups"].([]any); len(g) != 1 || g[0] != "residents" {
		t.Errorf("the new user's token has groups %v, want [residents]", g)
	}
	e.register(token) // POST /v1/me/participants answers 201

	for _, phone := range []string{"+882345678901", "+12025550123", "+8612812345678"} {
		r := e.do("POST", "/_local/signup", "", map[string]any{"phone": phone}, "Accept-Language", "zh-CN")
		e.expect(r, 422, "validation_failed")
		if !strings.Contains(r.str("detail"), "中国大陆手机号码") {
			t.Errorf("%s: refusal %s", phone, r.body)
		}
	}
}

// TestStaffNeedTOTP: a centre staff member without an authenticator app
// gets a token without the staff group and with enrol:mfa_setup, so staff
// routes answer 403; once they enrol TOTP, their next token has the group
// and the same route answers 200. A demo staff member (TOTP enrolled in
// the stand-in) is unaffected.
func TestStaffNeedTOTP(t *testing.T) {
	e := start(t)
	r := e.do("POST", "/_local/signup", "", map[string]any{"phone": "+8613712345678"})
	e.expect(r, 200, "")
	sub := r.str("sub")
	path := "/v1/centres/" + e.centre.ID + "/offerings"

	before := e.tokenFor(sub, []string{"centre-staff", "residents"}, e.centre.ID)
	c := claimsOf(t, before)
	if g, _ := c["cognito:groups"].([]any); len(g) != 1 || g[0] != "residents" || c["enrol:mfa_setup"] != "required" {
		t.Errorf("without TOTP: groups %v, enrol:mfa_setup %v; want [residents] and required", c["cognito:groups"], c["enrol:mfa_setup"])
	}
	e.expect(e.do("GET", path, before, nil), 403, "forbidden")

	e.st.Cognito.SetTOTP(sub, true)
	after := e.tokenFor(sub, []string{"centre-staff", "residents"}, e.centre.ID)
	if _, ok := claimsOf(t, after)["enrol:mfa_setup"]; ok {
		t.Error("an enrolled staff member's token still asks for TOTP")
	}
	e.expect(e.do("GET", path, after, nil), 200, "")
	e.expect(e.do("GET", path, e.tokenFor("staff-demo", []string{"centre-staff"}, e.centre.ID), nil), 200, "")
}
