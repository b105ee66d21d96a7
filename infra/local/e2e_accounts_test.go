package local_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localcognito"
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

// staffWithoutTOTP signs a user up with phone (no authenticator app) and
// answers their sub, their centre's staff route and a token asking for
// centre-staff in that centre.
func (e *env) staffWithoutTOTP(phone string) (sub, path, token string) {
	e.t.Helper()
	r := e.do("POST", "/_local/signup", "", map[string]any{"phone": phone})
	e.expect(r, 200, "")
	sub = r.str("sub")
	return sub, "/v1/centres/" + e.centre.ID + "/offerings", e.tokenFor(sub, []string{"centre-staff", "residents"}, e.centre.ID)
}

// TestStaffNeedTOTP: a centre staff member without an authenticator app
// gets a token without the staff group and with enrol:mfa_setup, so staff
// routes answer 403; once they enrol TOTP, their next token has the group
// and the same route answers 200. A demo staff member (TOTP enrolled in
// the stand-in) is unaffected.
func TestStaffNeedTOTP(t *testing.T) {
	e := start(t)
	sub, path, before := e.staffWithoutTOTP("+8613712345678")
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

// TestStaffEnrolTOTPThroughTheWeb: what the web's 账号安全 page does, through
// the gateway's /_local/cognito as the browser reaches it. A signed-up
// staff member without TOTP is refused a staff route (403); with their own
// token they associate a key, a wrong code is refused, a code computed at
// the stack's clock verifies, TOTP is set preferred, and their next token
// carries centre-staff: the route answers 200. Once the token has expired
// (the stack's clock moved on) the stand-in refuses it (NotAuthorized).
func TestStaffEnrolTOTPThroughTheWeb(t *testing.T) {
	e := start(t)
	sub, path, before := e.staffWithoutTOTP("+8613612345678")
	e.expect(e.do("GET", path, before, nil), 403, "forbidden")

	cognito := func(op string, body map[string]any) reply {
		body["AccessToken"] = before
		return e.do("POST", "/_local/cognito", "", body, "X-Amz-Target", "AWSCognitoIdentityProviderService."+op, "Content-Type", "application/x-amz-json-1.1")
	}
	r := cognito("AssociateSoftwareToken", map[string]any{})
	e.expect(r, 200, "")
	secret := r.str("SecretCode")
	code, err := localcognito.Code(secret, e.st.Now())
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	wrong := fmt.Sprintf("%06d", (atoi(t, code)+500000)%1000000)
	if r := cognito("VerifySoftwareToken", map[string]any{"UserCode": wrong}); r.status != 400 || r.str("__type") != "EnableSoftwareTokenMFAException" {
		t.Errorf("a wrong code: %d %s", r.status, r.body)
	}
	e.expect(cognito("VerifySoftwareToken", map[string]any{"UserCode": code, "FriendlyDeviceName": "enrol"}), 200, "")
	e.expect(cognito("SetUserMFAPreference", map[string]any{"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}}), 200, "")
	if r := e.do("POST", "/_local/cognito", "", map[string]any{"UserPoolId": e.st.Cognito.PoolID, "Username": sub}, "X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser"); r.status != 400 {
		t.Errorf("an Admin call from the browser's side: %d %s", r.status, r.body)
	}

	after := e.tokenFor(sub, []string{"centre-staff", "residents"}, e.centre.ID)
	if g, _ := claimsOf(t, after)["cognito:groups"].([]any); !slices.Contains(g, any("centre-staff")) {
		t.Errorf("after enrolling, the token's groups are %v", g)
	}
	e.expect(e.do("GET", path, after, nil), 200, "")

	// Two hours on, the old token is refused as Cognito refuses an expired
	// access token: the page then asks to sign in again.
	e.expect(e.do("POST", "/_local/clock", "", map[string]any{"advance_seconds": 7200}), 200, "")
	if r := cognito("AssociateSoftwareToken", map[string]any{}); r.status != 400 || r.str("__type") != "NotAuthorizedException" {
		t.Errorf("an expired access token: %d %s", r.status, r.body)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
