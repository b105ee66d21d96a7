package templatecheck

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// oidcChinaMode is a deployment in the China regions with the city's own
// OpenID Connect provider and no message channel configured.
var oidcChinaMode = samtemplate.Values{
	"AuthMode": "oidc", "AWS::Region": "cn-north-1",
	"OidcIssuer": "https://id.wuxi.example.cn/oidc", "OidcAudience": "enrol-web,enrol-mp",
	"SmsOriginationIdentity": "", "EmailIdentity": "", "WeChatCredentialsArn": "",
}

var cognitoTypes = []string{typeUserPool, typeUserPoolClient, "AWS::Cognito::UserPoolDomain", typeUserPoolGroup}

// subRefRe finds ${Name} and ${Name.Attr} in an Fn::Sub string (not ${!x}).
var subRefRe = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}`)

// refsIn lists the logical ids v names by Ref, Fn::GetAtt or Fn::Sub.
func refsIn(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "Ref":
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			case "Fn::GetAtt":
				if parts, ok := e.([]any); ok && len(parts) > 0 {
					out = append(out, samtemplate.Render(parts[0]))
				}
			case "Fn::Sub":
				s := e
				// !Sub [text, {Name: value}]: ${Name} is the variable, not a resource.
				vars := map[string]any{}
				if parts, ok := e.([]any); ok && len(parts) > 0 {
					s = parts[0]
					out = append(out, refsIn(parts[1:])...)
					if len(parts) > 1 {
						vars, _ = parts[1].(map[string]any)
					}
				}
				if str, ok := s.(string); ok {
					for _, m := range subRefRe.FindAllStringSubmatch(str, -1) {
						if _, isVar := vars[m[1]]; !isVar {
							out = append(out, m[1])
						}
					}
				}
				continue
			}
			out = append(out, refsIn(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, refsIn(e)...)
		}
	}
	return out
}

// danglingRefs is every reference, in a kept resource, a function's
// environment or an output, to a logical id that is neither a kept
// resource, a parameter nor a pseudo parameter.
func danglingRefs(tpl *samtemplate.Template) []string {
	known := func(id string) bool {
		_, res := tpl.Resources[id]
		_, param := tpl.Parameters[id]
		// SAM makes <Function>Role for a kept function that names no role.
		fn, isRole := strings.CutSuffix(id, "Role")
		_, samRole := tpl.Functions[fn]
		return res || param || strings.HasPrefix(id, "AWS::") || isRole && samRole
	}
	var bad []string
	for _, id := range sortedKeys(tpl.Resources) {
		for _, ref := range refsIn(tpl.Resources[id].Properties) {
			if !known(ref) {
				bad = append(bad, id+" → "+ref)
			}
		}
	}
	for name, v := range tpl.Outputs {
		for _, m := range regexp.MustCompile(`(?:!Ref |!GetAtt |\$\{)([A-Za-z0-9:]+)`).FindAllStringSubmatch(v, -1) {
			if !known(m[1]) {
				bad = append(bad, "output "+name+" → "+m[1])
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// TestAuthModes renders the template in both modes, as CloudFormation
// would with those parameters: a Cognito deployment has its user pool, app
// client, domain and three groups, and the JWT authorizer trusts that pool
// and client; an OIDC deployment in the China regions has none of them, its
// authorizer trusts the issuer and audience given, and nothing kept still
// points at a resource left out.
func TestAuthModes(t *testing.T) {
	path := localdb.TemplatePath()
	cognito, err := samtemplate.LoadFor(path, cognitoMode)
	if err != nil {
		t.Fatal(err)
	}
	oidc, err := samtemplate.LoadFor(path, oidcChinaMode)
	if err != nil {
		t.Fatal(err)
	}
	count := func(tpl *samtemplate.Template) map[string]int {
		n := map[string]int{}
		for _, typ := range cognitoTypes {
			n[typ] = len(tpl.ResourceIDs(typ))
		}
		return n
	}
	if got := count(cognito); got[typeUserPool] != 1 || got[typeUserPoolClient] != 1 || got["AWS::Cognito::UserPoolDomain"] != 1 || got[typeUserPoolGroup] != 4 {
		t.Errorf("cognito mode: Cognito resources %v, want a pool, a client, a domain and four groups", got)
	}
	for typ, n := range count(oidc) {
		if n != 0 {
			t.Errorf("oidc mode: %d %s, want none (the China regions have no user pools)", n, typ)
		}
	}
	if problems := checkJWTAuthorizer(cognito, "HttpApi", "CognitoAuthorizer"); len(problems) > 0 {
		t.Errorf("cognito mode: %v", problems)
	}
	a := oidc.HttpAPIAuthorizers()["CognitoAuthorizer"]
	if a.Issuer != "!Ref OidcIssuer" || !slices.Equal(a.Audience, []string{`!Split [,, !Ref OidcAudience]`}) {
		t.Errorf("oidc mode: authorizer issuer %q audience %q, want the OidcIssuer and OidcAudience parameters", a.Issuer, a.Audience)
	}
	for _, out := range []string{"UserPoolId", "UserPoolClientId", "AuthDomain"} {
		if _, ok := oidc.Outputs[out]; ok {
			t.Errorf("oidc mode: output %s, of a user pool there is none of", out)
		}
		if _, ok := cognito.Outputs[out]; !ok {
			t.Errorf("cognito mode: no output %s", out)
		}
	}
	if got := oidc.Outputs["AuthIssuer"]; got != "!Ref OidcIssuer" {
		t.Errorf("oidc mode: AuthIssuer = %q", got)
	}
	// The functions read the provider's claim names, and are told no pool
	// and allowed nothing on one; no channel is allowed without its parameter.
	for _, id := range sortedKeys(oidc.Functions) {
		f := oidc.Functions[id]
		if f.Environment["GROUPS_CLAIM"] != "!Ref OidcGroupsClaim" || f.Environment["CENTRES_CLAIM"] != "!Ref OidcCentresClaim" {
			t.Errorf("oidc mode: %s claims %q, %q", id, f.Environment["GROUPS_CLAIM"], f.Environment["CENTRES_CLAIM"])
		}
		if g := cognito.Functions[id].Environment["GROUPS_CLAIM"]; g != "cognito:groups" {
			t.Errorf("cognito mode: %s GROUPS_CLAIM %q", id, g)
		}
		if _, ok := f.Environment["USER_POOL_ID"]; ok {
			t.Errorf("oidc mode: %s is told USER_POOL_ID", id)
		}
		for _, s := range f.Policies {
			for _, act := range s.Actions {
				// The bus, and the queue of the booking stream's failures (no channel).
				if !strings.HasPrefix(act, "dynamodb:") && !strings.HasPrefix(act, "kms:") && act != "events:PutEvents" && act != "sqs:SendMessage" {
					t.Errorf("oidc mode without channels: %s is allowed %s", id, act)
				}
			}
		}
	}
	// The web front end: CloudFront in China has no origin access control.
	if _, ok := oidc.Resources["WebOriginAccessControl"]; ok {
		t.Error("China regions: WebOriginAccessControl, which they do not offer")
	}
	if _, ok := oidc.Resources["WebOriginAccessIdentity"]; !ok {
		t.Error("China regions: no WebOriginAccessIdentity for CloudFront to read the bucket")
	}
	if _, ok := cognito.Resources["WebOriginAccessIdentity"]; ok {
		t.Error("outside China: a legacy origin access identity beside origin access control")
	}
	stmts, _ := mapOf(oidc.Resources["WebBucketPolicy"].Properties["PolicyDocument"])["Statement"].([]any)
	if len(stmts) != 1 || samtemplate.Render(mapOf(mapOf(stmts[0])["Principal"])["CanonicalUser"]) != "!GetAtt WebOriginAccessIdentity.S3CanonicalUserId" {
		t.Errorf("China regions: the bucket must let only the origin access identity read: %v", samtemplate.Render(stmts))
	}
	origins, _ := mapOf(oidc.Resources["WebDistribution"].Properties["DistributionConfig"])["Origins"].([]any)
	if o := mapOf(origins[0]); o["OriginAccessControlId"] != nil ||
		samtemplate.Render(mapOf(o["S3OriginConfig"])["OriginAccessIdentity"]) != "!Sub origin-access-identity/cloudfront/${WebOriginAccessIdentity}" {
		t.Errorf("China regions: the origin must read through the origin access identity: %v", samtemplate.Render(o))
	}
	for mode, tpl := range map[string]*samtemplate.Template{"cognito": cognito, "oidc": oidc} {
		if bad := danglingRefs(tpl); len(bad) > 0 {
			t.Errorf("%s mode: references to resources left out: %v", mode, bad)
		}
	}
}

// TestARNsNamePartition: no ARN is written for the aws partition alone, and
// no AWS host name for the global regions: the China regions' are aws-cn
// and amazonaws.com.cn (${AWS::Partition}, ${AWS::URLSuffix}).
func TestARNsNamePartition(t *testing.T) {
	data, err := os.ReadFile(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "arn:aws:") {
			t.Errorf("template.yaml:%d: a literal arn:aws: (use arn:${AWS::Partition}:): %s", i+1, strings.TrimSpace(line))
		}
		// A service principal (cloudfront.amazonaws.com) is the same in
		// every partition; a host name is not.
		if m := regexp.MustCompile(`https://[^\s"]*amazonaws\.com`).FindString(line); m != "" {
			t.Errorf("template.yaml:%d: host %s (use ${AWS::URLSuffix})", i+1, m)
		}
	}
}
