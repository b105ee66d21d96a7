package deploy

import (
	"maps"
	"regexp"
	"strings"
	"testing"
)

const pool = "--user-pool-id ap-northeast-1_Pool1"

func TestAccounts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		settings map[string]string
		code     int
		says     []string
		// calls, in order; with only set, no other call may be made
		calls []string
		only  bool
		not   []string
	}{
		{name: "officer, invited by SMS", args: []string{"officer", "+8613812345678"},
			says: []string{"new account +8613812345678", "city-officers: +8613812345678", "TOTP"},
			calls: []string{
				`aws cognito-idp list-users ` + pool + ` --filter phone_number = "+8613812345678"`,
				`aws cognito-idp admin-create-user ` + pool + ` --username +8613812345678 --user-attributes [{"Name":"phone_number","Value":"+8613812345678"},{"Name":"phone_number_verified","Value":"true"}] --desired-delivery-mediums SMS`,
				`aws cognito-idp admin-add-user-to-group ` + pool + ` --username new-user --group-name city-officers`,
			}},
		{name: "officer, temporary password printed", args: []string{"officer", "13812345678", "--print-password"},
			says:  []string{"temporary password: Wx-"},
			calls: []string{`aws cognito-idp admin-create-user ` + pool + ` --username +8613812345678`},
			not:   []string{"--desired-delivery-mediums"}},
		{name: "officer who already has an account", args: []string{"officer", "+8613812345678"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-7\tNone"},
			says:     []string{"existing account +8613812345678 (user-7)"},
			calls:    []string{`aws cognito-idp admin-add-user-to-group ` + pool + ` --username user-7 --group-name city-officers`},
			not:      []string{"admin-create-user"}},
		{name: "district officer", args: []string{"district-officer", "13812345678", "binhu"},
			says: []string{"district-officers: +8613812345678, custom:district=binhu", "TOTP"},
			calls: []string{
				`aws cognito-idp list-users ` + pool + ` --filter phone_number = "+8613812345678"`,
				`aws cognito-idp admin-create-user ` + pool + ` --username +8613812345678`,
				`aws cognito-idp admin-update-user-attributes ` + pool + ` --username new-user --user-attributes [{"Name":"custom:district","Value":"binhu"}]`,
				`aws cognito-idp admin-add-user-to-group ` + pool + ` --username new-user --group-name district-officers`,
			}},
		{name: "district officer, not a district", args: []string{"district-officer", "13812345678", "suzhou"}, code: 1,
			says: []string{"not a district of Wuxi: 'suzhou'"}, only: true},
		{name: "staff: centres added to those already held", args: []string{"staff", "+8613912345678", "c-b,c-c"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-8\tc-a,c-b", "FAKE_CENTRES": "c-a c-b c-c"},
			says:     []string{"custom:centre_ids=c-a,c-b,c-c"},
			calls: []string{
				"curl -s -o /dev/null -w %{http_code} --max-time 20 https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev/v1/centres/c-b",
				"curl -s -o /dev/null -w %{http_code} --max-time 20 https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev/v1/centres/c-c",
				`aws cognito-idp list-users ` + pool + ` --filter phone_number = "+8613912345678"`,
				`aws cognito-idp admin-update-user-attributes ` + pool + ` --username user-8 --user-attributes [{"Name":"custom:centre_ids","Value":"c-a,c-b,c-c"}]`,
				`aws cognito-idp admin-add-user-to-group ` + pool + ` --username user-8 --group-name centre-staff`,
			},
			not: []string{"admin-create-user"}},
		{name: "staff: new account", args: []string{"staff", "+8613912345678", "c-a"},
			settings: map[string]string{"FAKE_CENTRES": "c-a"},
			calls: []string{
				`aws cognito-idp admin-create-user ` + pool + ` --username +8613912345678`,
				`aws cognito-idp admin-update-user-attributes ` + pool + ` --username new-user --user-attributes [{"Name":"custom:centre_ids","Value":"c-a"}]`,
				`aws cognito-idp admin-add-user-to-group ` + pool + ` --username new-user --group-name centre-staff`,
			}},
		{name: "staff: no such centre", args: []string{"staff", "+8613912345678", "c-a,c-x"},
			settings: map[string]string{"FAKE_CENTRES": "c-a"}, code: 1,
			says: []string{"no centre 'c-x'"}, only: true,
			calls: []string{"aws cloudformation describe-stacks --stack-name enrol-dev --query Stacks[0].Outputs[?OutputKey=='UserPoolId']",
				"aws cloudformation describe-stacks --stack-name enrol-dev --query Stacks[0].Outputs[?OutputKey=='ApiUrl']",
				"curl -s -o /dev/null -w %{http_code} --max-time 20 https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev/v1/centres/c-a",
				"curl -s -o /dev/null -w %{http_code} --max-time 20 https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev/v1/centres/c-x"}},
		{name: "staff: not a centre id", args: []string{"staff", "+8613912345678", "c-a/../x"}, code: 1,
			says: []string{"not a centre id"}, only: true},
		{name: "not a mainland mobile number", args: []string{"staff", "+85291234567", "c-a"}, code: 1,
			says: []string{"not a mainland China mobile number: +85291234567"}, only: true},
		{name: "a landline is not a mobile number", args: []string{"officer", "051082701136"}, code: 1,
			says: []string{"not a mainland China mobile number"}, only: true},
		{name: "remove one of two centres", args: []string{"remove-staff", "+8613912345678", "c-a"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-8\tc-a,c-b"},
			says:     []string{"custom:centre_ids=c-b"},
			calls: []string{
				`aws cognito-idp admin-update-user-attributes ` + pool + ` --username user-8 --user-attributes [{"Name":"custom:centre_ids","Value":"c-b"}]`,
				`aws cognito-idp admin-user-global-sign-out ` + pool + ` --username user-8`,
			},
			not: []string{"admin-remove-user-from-group", "admin-delete-user-attributes"}},
		{name: "remove the last centre", args: []string{"remove-staff", "+8613912345678", "c-b"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-8\tc-b"},
			calls: []string{
				`aws cognito-idp admin-delete-user-attributes ` + pool + ` --username user-8 --user-attribute-names custom:centre_ids`,
				`aws cognito-idp admin-remove-user-from-group ` + pool + ` --username user-8 --group-name centre-staff`,
				`aws cognito-idp admin-user-global-sign-out ` + pool + ` --username user-8`,
			}},
		{name: "remove a centre not held", args: []string{"remove-staff", "+8613912345678", "c-a"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-8\tc-b"}, code: 1,
			says: []string{"has no centre c-a"},
			not:  []string{"admin-update-user-attributes", "admin-remove-user-from-group", "sign-out"}},
		{name: "remove from no account", args: []string{"remove-staff", "+8613912345678", "c-a"}, code: 1,
			says: []string{"no account with +8613912345678"},
			not:  []string{"admin-"}},
		{name: "list a centre's staff", args: []string{"list-staff", "c-b"},
			settings: map[string]string{"FAKE_GROUP": `+8613812345678\tuser-1\tc-a,c-b\n+8613912345678\tuser-2\tc-bb\n+8613712345678\tuser-3\tNone\n+8613612345678\tuser-4\tc-b\n`},
			says:     []string{"+8613812345678\tuser-1\n+8613612345678\tuser-4\n"},
			not:      []string{"user-2", "user-3"}},
		{name: "show: no TOTP yet", args: []string{"show", "+8613912345678"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-8\tc-b", "FAKE_GROUPS": "centre-staff"},
			says:     []string{"user: user-8", "centre_ids: c-b", "groups: centre-staff", "status: CONFIRMED", "mfa: （无）/ none: no TOTP enrolled yet"}},
		{name: "show: TOTP enrolled", args: []string{"show", "+8613912345678"},
			settings: map[string]string{"FAKE_LIST_USERS": "user-8\tNone", "FAKE_MFA": "SOFTWARE_TOKEN_MFA"},
			says:     []string{"centre_ids: （无）/ none", "mfa: SOFTWARE_TOKEN_MFA"}},
		{name: "an OIDC stack has no user pool", args: []string{"officer", "+8613812345678"},
			settings: map[string]string{"FAKE_OUT_UserPoolId": ""}, code: 1,
			says: []string{"has no Cognito user pool", "AuthMode=oidc"},
			not:  []string{"cognito-idp"}},
		{name: "unknown ENV", args: []string{"officer", "+8613812345678"}, code: 2,
			says: []string{"unknown environment 'staging'"}, only: true},
		{name: "unknown command", args: []string{"promote", "+8613812345678"}, code: 2,
			says: []string{"accounts.sh ENV officer PHONE", "accounts.sh ENV show PHONE\n"}, only: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, filled(t))
			env := maps.Clone(outputs)
			maps.Copy(env, tc.settings)
			envName := "dev"
			if tc.name == "unknown ENV" {
				envName = "staging"
			}
			out, code, calls := s.run(t, env, "infra/deploy/accounts.sh", append([]string{envName}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out)
			}
			for _, want := range tc.says {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for i := range calls {
				calls[i] = strings.TrimSuffix(calls[i], " @ap-northeast-1")
			}
			log := strings.Join(calls, "\n")
			if missing := inOrder(calls, tc.calls); missing != "" {
				t.Errorf("no %q in its place; calls:\n%s", missing, log)
			}
			for _, c := range calls {
				if tc.only && !slicesHasPrefix(tc.calls, c) {
					t.Errorf("unexpected call %q", c)
				}
				for _, n := range tc.not {
					if strings.Contains(c, n) {
						t.Errorf("call %q: no %q wanted", c, n)
					}
				}
			}
			if pw := regexp.MustCompile(`temporary password: (\S+)`).FindStringSubmatch(out); pw != nil {
				if !strings.Contains(log, "--message-action SUPPRESS --temporary-password "+pw[1]+" ") {
					t.Errorf("the printed password %s is not the one the account was made with:\n%s", pw[1], log)
				}
				if !regexp.MustCompile(`^Wx-[A-Za-z0-9]{12}-7k$`).MatchString(pw[1]) {
					t.Errorf("temporary password %q: 12 random characters with every class the default policy asks for", pw[1])
				}
			}
		})
	}
}

// slicesHasPrefix reports whether call starts with one of wants.
func slicesHasPrefix(wants []string, call string) bool {
	for _, w := range wants {
		if strings.HasPrefix(call, w) {
			return true
		}
	}
	return false
}
