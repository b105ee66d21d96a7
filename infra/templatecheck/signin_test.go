package templatecheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// userPoolUsers are the functions that may delete users of the user pool,
// and the one action they need.
var (
	userPoolUsers   = []string{"BookingsFunction"}
	userPoolActions = []string{"cognito-idp:AdminDeleteUser"}
)

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
// cognito-idp:AdminDeleteUser, on the user pool's ARN alone, and alone is
// told the pool (USER_POOL_ID = !Ref UserPool), which its code needs to
// delete the caller's user on DELETE /v1/me.
func TestOnlyBookingsDeletesUsers(t *testing.T) {
	tpl := loadTemplate(t)
	pools := tpl.ResourceIDs(typeUserPool)
	if len(pools) != 1 {
		t.Fatalf("user pools %v, want one", pools)
	}
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		may := slices.Contains(userPoolUsers, id)
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
		case may && !slices.Equal(actions, userPoolActions):
			t.Errorf("%s is allowed %v on the user pool, want exactly %v", id, actions, userPoolActions)
		case !may && len(actions) > 0:
			t.Errorf("%s is allowed %v on the user pool; only %v may delete users", id, actions, userPoolUsers)
		}
		v, has := f.Environment["USER_POOL_ID"]
		switch {
		case may && v != "!Ref "+pools[0]:
			t.Errorf("%s USER_POOL_ID = %q, want !Ref %s", id, v, pools[0])
		case !may && has:
			t.Errorf("%s is told USER_POOL_ID but may not delete users", id)
		}
	}
}
