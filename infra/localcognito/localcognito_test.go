package localcognito

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/clock"
)

// call posts one JSON 1.1 call to h and answers the status and the body.
func call(t *testing.T, h http.Handler, op string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(b)))
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

// TestEnrolSoftwareToken: a signed-up user (no TOTP) associates a key,
// a wrong code and one from two minutes before are refused with Cognito's
// error, a code at the stack's clock passes, and once TOTP is preferred
// AdminGetUser lists SOFTWARE_TOKEN_MFA. The browser's UserAPI answers the
// user's calls but no Admin call; an unknown token, or a deleted user's,
// is NotAuthorized.
func TestEnrolSoftwareToken(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	c := New(PoolID)
	c.SetClock(clock.Fixed(at))
	c.VerifyAccessTokens(func(tok string) (string, error) {
		if sub, ok := strings.CutPrefix(tok, "access-"); ok {
			return sub, nil
		}
		return "", errors.New("not ours")
	})
	c.SignUp("u1", "+8613912345678")
	api := c.UserAPI()
	mfa := func() []any {
		_, u := call(t, c, "AdminGetUser", map[string]string{"UserPoolId": PoolID, "Username": "u1"})
		l, _ := u["UserMFASettingList"].([]any)
		return l
	}
	if l := mfa(); l != nil {
		t.Fatalf("a signed-up user has MFA %v", l)
	}

	if code, out := call(t, api, "SetUserMFAPreference", map[string]any{"AccessToken": "access-u1", "SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}}); code != 400 || out["__type"] != "InvalidParameterException" {
		t.Errorf("TOTP preferred before any key: %d %v", code, out)
	}
	code, out := call(t, api, "AssociateSoftwareToken", map[string]string{"AccessToken": "access-u1"})
	secret, _ := out["SecretCode"].(string)
	if code != 200 || len(secret) != 32 {
		t.Fatalf("AssociateSoftwareToken: %d %v", code, out)
	}
	right, _ := Code(secret, at)
	old, _ := Code(secret, at.Add(-2*time.Minute))
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	for _, bad := range []string{wrong, old} {
		if code, out := call(t, api, "VerifySoftwareToken", map[string]string{"AccessToken": "access-u1", "UserCode": bad}); code != 400 || out["__type"] != "EnableSoftwareTokenMFAException" {
			t.Errorf("code %s (right %s): %d %v", bad, right, code, out)
		}
	}
	if code, out := call(t, api, "VerifySoftwareToken", map[string]string{"AccessToken": "stranger", "UserCode": right}); code != 400 || out["__type"] != "NotAuthorizedException" {
		t.Errorf("an unknown token: %d %v", code, out)
	}
	if code, out := call(t, api, "VerifySoftwareToken", map[string]string{"AccessToken": "access-u1", "UserCode": right}); code != 200 || out["Status"] != "SUCCESS" {
		t.Fatalf("the right code: %d %v", code, out)
	}
	if l := mfa(); l != nil {
		t.Errorf("verified but not yet preferred: MFA %v", l)
	}
	if code, out := call(t, api, "SetUserMFAPreference", map[string]any{"AccessToken": "access-u1", "SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}}); code != 200 {
		t.Fatalf("SetUserMFAPreference: %d %v", code, out)
	}
	if l := mfa(); !slices.Equal(l, []any{"SOFTWARE_TOKEN_MFA"}) {
		t.Errorf("after enrolling: MFA %v, want [SOFTWARE_TOKEN_MFA]", l)
	}
	if code, out := call(t, api, "AdminGetUser", map[string]string{"UserPoolId": PoolID, "Username": "u1"}); code != 400 || out["__type"] != "MissingAuthenticationTokenException" {
		t.Errorf("an Admin call through UserAPI: %d %v", code, out)
	}
	// A deleted user's token no longer works.
	if code, out := call(t, c, "AdminDeleteUser", map[string]string{"UserPoolId": PoolID, "Username": "u1"}); code != 200 {
		t.Fatalf("AdminDeleteUser: %d %v", code, out)
	}
	if code, out := call(t, api, "AssociateSoftwareToken", map[string]string{"AccessToken": "access-u1"}); code != 400 || out["__type"] != "NotAuthorizedException" {
		t.Errorf("a deleted user's token: %d %v", code, out)
	}
}
