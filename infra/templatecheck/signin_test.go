package templatecheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// userPoolUsers are the functions that may call the user pool, each with
// the one action it needs: the bookings function deletes the caller's user,
// the dispatcher reads residents' verified addresses.
var userPoolUsers = map[string][]string{
	"BookingsFunction":   {"cognito-idp:AdminDeleteUser"},
	"DispatcherFunction": {"cognito-idp:ListUsers"},
	// Issue 19: officers invite staff; sorted, as the test compares them.
	"StaffAccountsFunction": {"cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUserAttributes",
		"cognito-idp:AdminRemoveUserFromGroup", "cognito-idp:AdminSetUserPassword", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminUserGlobalSignOut", "cognito-idp:ListUsers"},
}

// accountWrites are the user pool calls that make an account or change
// what it may do (its groups, its attributes, its sessions).
var accountWrites = []string{"cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminRemoveUserFromGroup",
	"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminDeleteUserAttributes", "cognito-idp:AdminUserGlobalSignOut",
	"cognito-idp:AdminSetUserPassword", "cognito-idp:AdminEnableUser", "cognito-idp:AdminDisableUser", "cognito-idp:AdminLinkProviderForUser"}

// accountWritesAllowed says who may make those calls: the staff accounts
// function, and the user pool's triggers' AdminAddUserToGroup alone (a
// self-registered resident joins residents on confirmation).
var accountWritesAllowed = map[string][]string{
	"StaffAccountsFunction":  {"cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUserAttributes", "cognito-idp:AdminRemoveUserFromGroup", "cognito-idp:AdminSetUserPassword", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminUserGlobalSignOut"},
	"AccountsUserPoolPolicy": {"cognito-idp:AdminAddUserToGroup"},
}

// TestOnlyStaffAccountsWritesAccounts: of every function's policy and
// every IAM policy resource in the template, only StaffAccountsFunction
// may make accounts or change their groups, attributes or sessions (the
// triggers' policy only adds residents), and no statement allows
// cognito-idp:* or Admin* by a wildcard.
func TestOnlyStaffAccountsWritesAccounts(t *testing.T) {
	tpl := loadTemplate(t)
	check := func(who string, statements []samtemplate.Statement) {
		var got []string
		for _, s := range statements {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Actions {
				if strings.HasPrefix(a, "cognito-idp:") && strings.ContainsAny(a, "*?") {
					t.Errorf("%s: wildcard %q", who, a)
				}
				if slices.Contains(accountWrites, a) {
					got = append(got, a)
				}
			}
		}
		slices.Sort(got)
		if want := accountWritesAllowed[who]; !slices.Equal(got, want) {
			t.Errorf("%s may make or change accounts with %v, want %v", who, got, want)
		}
	}
	for _, id := range sortedKeys(tpl.Functions) {
		check(id, tpl.Functions[id].Policies)
	}
	for _, id := range tpl.ResourceIDs("AWS::IAM::Policy") {
		var statements []samtemplate.Statement
		for _, st := range mapOf(tpl.Resources[id].Properties["PolicyDocument"])["Statement"].([]any) {
			s := mapOf(st)
			statements = append(statements, samtemplate.Statement{Effect: samtemplate.Render(s["Effect"]), Actions: listOf(s["Action"])})
		}
		check(id, statements)
	}
}

func cognitoStatement(s samtemplate.Statement) bool {
	return slices.ContainsFunc(s.Actions, func(a string) bool { return strings.HasPrefix(a, "cognito-idp:") })
}

func userPoolResources(tpl *samtemplate.Template) map[string]bool {
	out := map[string]bool{}
	for _, id := range tpl.ResourceIDs(typeUserPool) {
		out["!GetAtt "+id+".Arn"] = true
	}
	return out
}

// TestOnlyBookingsDeletesUsers: the bookings function alone is allowed
// cognito-idp:AdminDeleteUser, and the dispatcher alone ListUsers, on the
// user pool's ARN alone, and they alone are told the pool (USER_POOL_ID =
// !Ref UserPool): to delete the caller's user on DELETE /v1/me, to read a
// resident's verified addresses.
func TestOnlyBookingsDeletesUsers(t *testing.T) {
	tpl := loadTemplate(t)
	pools := tpl.ResourceIDs(typeUserPool)
	if len(pools) != 1 {
		t.Fatalf("user pools %v, want one", pools)
	}
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		want, may := userPoolUsers[id]
		var actions []string
		for _, s := range f.Policies {
			if !cognitoStatement(s) {
				continue
			}
			if s.Effect != "Allow" {
				continue
			}
			if !slices.Equal(s.Resources, []string{"!GetAtt " + pools[0] + ".Arn"}) {
				t.Errorf("%s: cognito-idp actions %v on %v, want on !GetAtt %s.Arn only", id, s.Actions, s.Resources, pools[0])
			}
			actions = append(actions, s.Actions...)
		}
		slices.Sort(actions)
		switch {
		case may && !slices.Equal(actions, want):
			t.Errorf("%s is allowed %v on the user pool, want exactly %v", id, actions, want)
		case !may && len(actions) > 0:
			t.Errorf("%s is allowed %v on the user pool; only %v may call it", id, actions, userPoolUsers)
		}
		v, has := f.Environment["USER_POOL_ID"]
		switch {
		case may && v != "!Ref "+pools[0]:
			t.Errorf("%s USER_POOL_ID = %q, want !Ref %s", id, v, pools[0])
		case !may && has:
			t.Errorf("%s is told USER_POOL_ID but may not call the user pool", id)
		}
	}
}
