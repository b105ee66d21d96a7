package templatecheck

import (
	"slices"
	"strconv"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// listOf renders each element of a template list.
func listOf(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = samtemplate.Render(e)
	}
	return out
}

// TestUserPoolHardened (issue 16): the pool outlives the stack and is never
// replaced (every booking is keyed by a user's sub), asks TOTP and never
// SMS for MFA, has a password policy and recovery by verified phone, lets
// residents sign up unless SelfSignUp is disabled, keeps the one schema
// attribute and the username attribute it was made with (changing either
// replaces the pool), and its app client hides whether an account exists.
func TestUserPoolHardened(t *testing.T) {
	tpl := loadTemplate(t)
	pool := onlyOne(t, tpl, typeUserPool)
	r := tpl.Resources[pool]
	p := r.Properties
	pw := mapOf(mapOf(p["Policies"])["PasswordPolicy"])
	minLen, _ := strconv.Atoi(samtemplate.Render(pw["MinimumLength"]))
	tempDays, _ := strconv.Atoi(samtemplate.Render(pw["TemporaryPasswordValidityDays"]))
	schema, _ := p["Schema"].([]any)
	recovery, _ := mapOf(p["AccountRecoverySetting"])["RecoveryMechanisms"].([]any)
	cond := tpl.ConditionExprs["SelfSignUpDisabled"]
	checks := []struct {
		what string
		ok   bool
		got  any
	}{
		{"DeletionPolicy Retain", r.DeletionPolicy == "Retain", r.DeletionPolicy},
		{"UpdateReplacePolicy Retain", r.UpdateReplacePolicy == "Retain", r.UpdateReplacePolicy},
		{"DeletionProtection ACTIVE", samtemplate.Render(p["DeletionProtection"]) == "ACTIVE", p["DeletionProtection"]},
		{"MfaConfiguration OPTIONAL (staff enforced by the trigger)", samtemplate.Render(p["MfaConfiguration"]) == "OPTIONAL", p["MfaConfiguration"]},
		{"EnabledMfas [SOFTWARE_TOKEN_MFA] (no SMS_MFA)", slices.Equal(listOf(p["EnabledMfas"]), []string{"SOFTWARE_TOKEN_MFA"}), p["EnabledMfas"]},
		{"PasswordPolicy.MinimumLength >= 10", minLen >= 10, pw["MinimumLength"]},
		{"PasswordPolicy requires lower, upper and numbers", truthy(pw["RequireLowercase"]) && truthy(pw["RequireUppercase"]) && truthy(pw["RequireNumbers"]), pw},
		{"PasswordPolicy.TemporaryPasswordValidityDays 1..7", tempDays >= 1 && tempDays <= 7, pw["TemporaryPasswordValidityDays"]},
		{"AccountRecoverySetting: verified_phone_number first", len(recovery) > 0 && samtemplate.Render(mapOf(recovery[0])["Name"]) == "verified_phone_number", p["AccountRecoverySetting"]},
		{"AllowAdminCreateUserOnly: !If [SelfSignUpDisabled, true, false]", samtemplate.Render(mapOf(p["AdminCreateUserConfig"])["AllowAdminCreateUserOnly"]) == "!If [SelfSignUpDisabled, true, false]", p["AdminCreateUserConfig"]},
		{"condition SelfSignUpDisabled: SelfSignUp = disabled", cond == "!Equals [!Ref SelfSignUp, disabled]", cond},
		{"UsernameAttributes [phone_number], as made", slices.Equal(listOf(p["UsernameAttributes"]), []string{"phone_number"}), p["UsernameAttributes"]},
		{"Schema: custom centre_ids, String, mutable, as made", len(schema) == 1 && samtemplate.Render(schema[0]) == "{AttributeDataType: String, Mutable: true, Name: centre_ids}", p["Schema"]},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("user pool %s: want %s, got %s", pool, c.what, samtemplate.Render(c.got))
		}
	}
	if ps := tpl.Parameters["SelfSignUp"]; ps.Default != "enabled" || !slices.Equal(ps.AllowedValues, []string{"enabled", "disabled"}) {
		t.Errorf("parameter SelfSignUp %+v, want default enabled of [enabled disabled]", ps)
	}
	client := onlyOne(t, tpl, typeUserPoolClient)
	if v := samtemplate.Render(tpl.Resources[client].Properties["PreventUserExistenceErrors"]); v != "ENABLED" {
		t.Errorf("app client %s PreventUserExistenceErrors = %q, want ENABLED", client, v)
	}
}

// TestUserPoolTriggers: the pool's PreSignUp, PostConfirmation and
// PreTokenGeneration (V1: the ID token the API checks) are AccountsFunction,
// which Cognito may invoke for this pool alone, and whose role may call
// AdminAddUserToGroup and AdminGetUser on this pool alone, through a policy
// of its own (the function's policy cannot name the pool that names it).
func TestUserPoolTriggers(t *testing.T) {
	tpl := loadTemplate(t)
	pool := onlyOne(t, tpl, typeUserPool)
	const fn = "AccountsFunction"
	var names []string
	for _, tr := range tpl.CognitoTriggers() {
		if tr.FunctionID != fn {
			t.Errorf("trigger %s is %s, want %s", tr.Name, tr.FunctionID, fn)
		}
		names = append(names, tr.Name)
	}
	if want := []string{"PostConfirmation", "PreSignUp", "PreTokenGeneration"}; !slices.Equal(names, want) {
		t.Errorf("the pool's triggers %v, want %v", names, want)
	}
	poolARN := "!GetAtt " + pool + ".Arn"

	var permitted bool
	for _, id := range tpl.ResourceIDs("AWS::Lambda::Permission") {
		p := tpl.Resources[id].Properties
		if samtemplate.Render(p["FunctionName"]) != "!GetAtt "+fn+".Arn" {
			continue
		}
		permitted = samtemplate.Render(p["Principal"]) == "cognito-idp.amazonaws.com" && samtemplate.Render(p["SourceArn"]) == poolARN &&
			samtemplate.Render(p["Action"]) == "lambda:InvokeFunction"
		if !permitted {
			t.Errorf("permission %s: %s, want lambda:InvokeFunction for cognito-idp.amazonaws.com from %s", id, samtemplate.Render(p), poolARN)
		}
	}
	if !permitted {
		t.Errorf("no AWS::Lambda::Permission lets the user pool invoke %s", fn)
	}

	var actions []string
	for _, id := range tpl.ResourceIDs("AWS::IAM::Policy") {
		p := tpl.Resources[id].Properties
		if !slices.Contains(listOf(p["Roles"]), "!Ref "+fn+"Role") {
			continue
		}
		for _, st := range mapOf(p["PolicyDocument"])["Statement"].([]any) {
			s := mapOf(st)
			if samtemplate.Render(s["Effect"]) != "Allow" || !slices.Equal(listOf(s["Resource"]), []string{poolARN}) {
				t.Errorf("policy %s: %s, want Allow on %s alone", id, samtemplate.Render(s), poolARN)
			}
			actions = append(actions, listOf(s["Action"])...)
		}
	}
	slices.Sort(actions)
	if want := []string{"cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminGetUser"}; !slices.Equal(actions, want) {
		t.Errorf("%s's role is allowed %v on the pool, want exactly %v", fn, actions, want)
	}
	if f := tpl.Functions[fn]; len(f.Policies) > 0 || len(f.NamedPolicies) > 0 {
		t.Errorf("%s has policies of its own %v %v; it needs only the pool's two calls", fn, f.Policies, f.NamedPolicies)
	}
}

// TestSignUpRateLimit: a REGIONAL web ACL on the user pool blocks an IP
// address that calls sign-up, resend-code or forgot-password more than
// SignUpRateLimit times in 5 minutes (each texts a code: SMS pumping).
func TestSignUpRateLimit(t *testing.T) {
	tpl := loadTemplate(t)
	pool := onlyOne(t, tpl, typeUserPool)
	assoc := onlyOne(t, tpl, "AWS::WAFv2::WebACLAssociation")
	ap := tpl.Resources[assoc].Properties
	if got := samtemplate.Render(ap["ResourceArn"]); got != "!GetAtt "+pool+".Arn" {
		t.Errorf("web ACL association on %s, want the user pool", got)
	}
	acl, ok := samtemplate.GetAttTarget(ap["WebACLArn"])
	if !ok || tpl.Resources[acl].Type != "AWS::WAFv2::WebACL" {
		t.Fatalf("association's WebACLArn %s is no web ACL of the template", samtemplate.Render(ap["WebACLArn"]))
	}
	p := tpl.Resources[acl].Properties
	if s := samtemplate.Render(p["Scope"]); s != "REGIONAL" {
		t.Errorf("web ACL scope %s, want REGIONAL (a user pool is regional)", s)
	}
	limit, _ := strconv.Atoi(tpl.Parameters["SignUpRateLimit"].Default)
	if limit < 10 {
		t.Errorf("SignUpRateLimit default %d: WAF's lowest limit is 10", limit)
	}
	wantTargets := []string{"AWSCognitoIdentityProviderService.ForgotPassword", "AWSCognitoIdentityProviderService.ResendConfirmationCode", "AWSCognitoIdentityProviderService.SignUp"}
	var found bool
	for _, rule := range p["Rules"].([]any) {
		rb := mapOf(mapOf(mapOf(rule)["Statement"])["RateBasedStatement"])
		if rb == nil {
			continue
		}
		found = true
		if _, block := mapOf(mapOf(rule)["Action"])["Block"]; !block {
			t.Errorf("rate-based rule %s does not block", samtemplate.Render(mapOf(rule)["Name"]))
		}
		if samtemplate.Render(rb["AggregateKeyType"]) != "IP" || samtemplate.Render(rb["Limit"]) != "!Ref SignUpRateLimit" || samtemplate.Render(rb["EvaluationWindowSec"]) != "300" {
			t.Errorf("rate-based statement %s, want per IP, Limit !Ref SignUpRateLimit, over 300 s", samtemplate.Render(rb))
		}
		var targets []string
		for _, st := range mapOf(mapOf(rb["ScopeDownStatement"])["OrStatement"])["Statements"].([]any) {
			bm := mapOf(mapOf(st)["ByteMatchStatement"])
			if samtemplate.Render(mapOf(mapOf(bm["FieldToMatch"])["SingleHeader"])["Name"]) == "x-amz-target" {
				targets = append(targets, samtemplate.Render(bm["SearchString"]))
			}
		}
		slices.Sort(targets)
		if !slices.Equal(targets, wantTargets) {
			t.Errorf("the rate limit counts calls %v, want %v", targets, wantTargets)
		}
	}
	if !found {
		t.Error("the user pool's web ACL has no rate-based rule")
	}
}
