package accounts_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/functions/accounts"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// start is the stand-in and the handler New builds on it, through the real
// SDK client (COGNITO_ENDPOINT), as AccountsFunction runs.
func start(t *testing.T) (*localcognito.Server, lambda.Handler) {
	t.Helper()
	srv, err := localcognito.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := accounts.New(lambdafn.Deps{Config: config.Config{Region: "cn-north-1", CognitoEndpoint: srv.URL}, Log: slog.New(slog.DiscardHandler)})
	return srv, h
}

// event is a trigger event as Cognito sends it (Developer Guide, each
// trigger's "parameters" section), for user sub.
func event(source, pool, sub, request string) []byte {
	return fmt.Appendf(nil, `{"version":"1","triggerSource":%q,"region":"cn-north-1","userPoolId":%q,"userName":%q,
		"callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"enrol-web"},"request":%s,"response":{}}`, source, pool, sub, request)
}

func TestPreSignUp(t *testing.T) {
	srv, h := start(t)
	tests := []struct {
		source, phone string
		ok            bool
	}{
		{"PreSignUp_SignUp", "+8613812345678", true},
		{"PreSignUp_SignUp", "+8619912345678", true},
		{"PreSignUp_SignUp", "+8612812345678", false}, // 12x is no mobile prefix
		{"PreSignUp_SignUp", "+861381234567", false},  // ten digits
		{"PreSignUp_SignUp", "+85291234567", false},   // Hong Kong
		{"PreSignUp_SignUp", "+882345678901", false},  // international premium range
		{"PreSignUp_SignUp", "", false},
		{"PreSignUp_AdminCreateUser", "+4915112345678", true}, // an administrator's user
	}
	for _, tt := range tests {
		t.Run(tt.source+" "+tt.phone, func(t *testing.T) {
			req := fmt.Sprintf(`{"userAttributes":{"phone_number":%q},"validationData":null}`, tt.phone)
			out, err := h.Invoke(t.Context(), event(tt.source, srv.PoolID, "u-1", req))
			switch {
			case tt.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tt.ok && err == nil:
				t.Fatalf("accepted %q", tt.phone)
			case !tt.ok:
				// Cognito shows the message to the user: Chinese, then English.
				if msg := err.Error(); !strings.Contains(msg, "中国大陆手机号码") || !strings.Contains(msg, "mainland China mobile number") {
					t.Errorf("refusal %q is not the bilingual message", msg)
				}
			default:
				var ev events.CognitoEventUserPoolsPreSignup
				if err := json.Unmarshal(out, &ev); err != nil || ev.TriggerSource != tt.source || ev.Response.AutoConfirmUser {
					t.Errorf("answer %s (%v): want the event back, nothing auto-confirmed", out, err)
				}
			}
		})
	}
}

func TestPostConfirmation(t *testing.T) {
	srv, h := start(t)
	const req = `{"userAttributes":{"sub":"u-1","phone_number":"+8613812345678","phone_number_verified":"true"}}`
	// A retry (Cognito's, after a timeout) adds the member again: success.
	for i := range 2 {
		if _, err := h.Invoke(t.Context(), event("PostConfirmation_ConfirmSignUp", srv.PoolID, "u-1", req)); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if got := srv.Groups("u-1"); !slices.Equal(got, []string{"residents"}) {
		t.Errorf("groups after confirming %v, want [residents]", got)
	}
	if _, err := h.Invoke(t.Context(), event("PostConfirmation_ConfirmForgotPassword", srv.PoolID, "u-2", req)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Groups("u-2"); len(got) != 0 {
		t.Errorf("a confirmed forgotten password put the user in %v", got)
	}
	// A Cognito failure fails the trigger with a message that reveals nothing.
	srv.Fail("InternalErrorException")
	_, err := h.Invoke(t.Context(), event("PostConfirmation_ConfirmSignUp", srv.PoolID, "u-3", req))
	srv.Fail("")
	if err == nil || strings.Contains(err.Error(), "InternalError") || !strings.Contains(err.Error(), "暂时不可用") {
		t.Errorf("failure answered %v, want the bilingual unavailable message alone", err)
	}
}

func TestPreTokenGeneration(t *testing.T) {
	srv, h := start(t)
	const noTOTP = "u-new"
	srv.SignUp(noTOTP, "+8613812345678")
	const enrolled = "demo-staff" // the stand-in's users have TOTP unless told otherwise
	tests := []struct {
		name, sub  string
		groups     []string
		wantGroups []string
		wantClaim  bool
	}{
		{"resident", noTOTP, []string{"residents"}, []string{"residents"}, false},
		{"no groups", noTOTP, nil, nil, false},
		{"staff without TOTP", noTOTP, []string{"centre-staff"}, []string{}, true},
		{"officer and resident without TOTP", noTOTP, []string{"city-officers", "residents"}, []string{"residents"}, true},
		{"staff with TOTP", enrolled, []string{"centre-staff", "residents"}, []string{"centre-staff", "residents"}, false},
		{"officer with TOTP", enrolled, []string{"city-officers"}, []string{"city-officers"}, false},
		{"district officer without TOTP", noTOTP, []string{"district-officers"}, []string{}, true},
		{"district officer with TOTP", enrolled, []string{"district-officers"}, []string{"district-officers"}, false},
	}
	for _, source := range []string{"TokenGeneration_HostedAuth", "TokenGeneration_RefreshTokens"} {
		for _, tt := range tests {
			t.Run(source+" "+tt.name, func(t *testing.T) {
				groups, _ := json.Marshal(tt.groups)
				req := fmt.Sprintf(`{"userAttributes":{"sub":%q},"groupConfiguration":{"groupsToOverride":%s,"iamRolesToOverride":[],"preferredRole":null}}`, tt.sub, groups)
				out, err := h.Invoke(t.Context(), event(source, srv.PoolID, tt.sub, req))
				if err != nil {
					t.Fatal(err)
				}
				var ev events.CognitoEventUserPoolsPreTokenGen
				if err := json.Unmarshal(out, &ev); err != nil {
					t.Fatal(err)
				}
				d := ev.Response.ClaimsOverrideDetails
				if got := d.GroupOverrideDetails.GroupsToOverride; !slices.Equal(got, tt.wantGroups) || (tt.wantGroups != nil) != (got != nil) {
					t.Errorf("groups %#v, want %#v", got, tt.wantGroups)
				}
				if got := d.ClaimsToAddOrOverride[accounts.MFASetupClaim]; (got == accounts.MFASetupRequired) != tt.wantClaim || len(d.ClaimsToAddOrOverride) > 1 {
					t.Errorf("claims %v, want %s = required: %v", d.ClaimsToAddOrOverride, accounts.MFASetupClaim, tt.wantClaim)
				}
			})
		}
	}
	// Enrolling TOTP gives the groups back.
	srv.SetTOTP(noTOTP, true)
	out, err := h.Invoke(t.Context(), event("TokenGeneration_Authentication", srv.PoolID, noTOTP, `{"userAttributes":{},"groupConfiguration":{"groupsToOverride":["centre-staff"]}}`))
	if err != nil || !strings.Contains(string(out), `"groupsToOverride":["centre-staff"]`) || strings.Contains(string(out), accounts.MFASetupClaim) {
		t.Errorf("after enrolling: %s, %v; want the staff group kept", out, err)
	}
	// A privileged user whose MFA cannot be read is not signed in.
	srv.Fail("InternalErrorException")
	defer srv.Fail("")
	if _, err := h.Invoke(t.Context(), event("TokenGeneration_HostedAuth", srv.PoolID, enrolled, `{"userAttributes":{},"groupConfiguration":{"groupsToOverride":["city-officers"]}}`)); err == nil {
		t.Error("an officer was signed in while their MFA could not be read")
	}
}

// TestDistrictClaim: a district officer with TOTP gets custom:district in
// the ID token from their user attributes; without TOTP, or outside
// district-officers, no district claim.
func TestDistrictClaim(t *testing.T) {
	srv, h := start(t)
	srv.SignUp("u-new", "+8613812345679")
	for _, tc := range []struct {
		name, sub, groups, want string
	}{
		{"district officer", "demo-district", `["district-officers"]`, "binhu"},
		{"without TOTP", "u-new", `["district-officers"]`, ""},
		{"a city officer", "demo-city", `["city-officers"]`, ""},
	} {
		req := fmt.Sprintf(`{"userAttributes":{"sub":%q,"custom:district":"binhu"},"groupConfiguration":{"groupsToOverride":%s}}`, tc.sub, tc.groups)
		out, err := h.Invoke(t.Context(), event("TokenGeneration_HostedAuth", srv.PoolID, tc.sub, req))
		if err != nil {
			t.Fatal(err)
		}
		var ev events.CognitoEventUserPoolsPreTokenGen
		if err := json.Unmarshal(out, &ev); err != nil {
			t.Fatal(err)
		}
		if got := ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride["custom:district"]; got != tc.want {
			t.Errorf("%s: custom:district %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUnknownTrigger(t *testing.T) {
	srv, h := start(t)
	for _, payload := range [][]byte{event("CustomMessage_SignUp", srv.PoolID, "u-1", `{}`), []byte(`not json`)} {
		if _, err := h.Invoke(t.Context(), payload); err == nil {
			t.Errorf("%s: answered, want an error", payload)
		}
	}
}
