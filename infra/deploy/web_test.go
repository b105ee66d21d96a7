package deploy

import (
	"maps"
	"strings"
	"testing"
)

// oidcOutputs are an AuthMode oidc stack's outputs (no user pool) and its
// OidcAudience parameter.
var oidcOutputs = map[string]string{
	"FAKE_OUT_ApiUrl":            "https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod",
	"FAKE_OUT_AuthIssuer":        "https://sso.wuxi.gov.cn/realms/enrol",
	"FAKE_OUT_WebBucketName":     "enrol-prod-web-123456789012",
	"FAKE_OUT_WebDistributionId": "E2DIST",
	"FAKE_OUT_WebUrl":            "https://d111.cloudfront.cn/",
	"FAKE_PARAM_OidcAudience":    "enrol-web,enrol-app",
}

// discovery is a provider's document, pretty-printed, one URL with JSON's
// escaped slashes.
const discovery = `{
  "issuer": "https://sso.wuxi.gov.cn/realms/enrol",
  "authorization_endpoint": "https:\/\/sso.wuxi.gov.cn\/realms\/enrol\/protocol\/openid-connect\/auth",
  "token_endpoint": "https://sso.wuxi.gov.cn/realms/enrol/protocol/openid-connect/token",
  "end_session_endpoint": "https://sso.wuxi.gov.cn/realms/enrol/protocol/openid-connect/logout",
  "jwks_uri": "https://sso.wuxi.gov.cn/realms/enrol/protocol/openid-connect/certs"
}`

// TestWebUploadOIDC: as AuthMode oidc, web.sh reads the provider's
// discovery document at AuthIssuer and writes config.json with its
// endpoints and the first OidcAudience as the client id; a document naming
// another issuer, or none at all, stops it before anything is uploaded.
func TestWebUploadOIDC(t *testing.T) {
	with := func(extra map[string]string) map[string]string {
		env := maps.Clone(oidcOutputs)
		maps.Copy(env, extra)
		return env
	}
	s := newStage(t, filled(t))
	out, code, calls := s.run(t, with(map[string]string{"FAKE_OIDC_CONFIG": discovery}), "infra/deploy/web.sh", "enrol-prod")
	if code != 0 {
		t.Fatalf("web.sh: exit %d\n%s", code, out)
	}
	if missing := inOrder(calls, []string{
		"curl -fsS --max-time 20 https://sso.wuxi.gov.cn/realms/enrol/.well-known/openid-configuration",
		"aws s3 sync web/dist s3://enrol-prod-web-123456789012/ --delete",
		"aws s3 cp - s3://enrol-prod-web-123456789012/config.json",
		`aws stdin {"mode":"oidc","apiUrl":"https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod","clientId":"enrol-web",` +
			`"authorizeUrl":"https://sso.wuxi.gov.cn/realms/enrol/protocol/openid-connect/auth",` +
			`"tokenUrl":"https://sso.wuxi.gov.cn/realms/enrol/protocol/openid-connect/token",` +
			`"logoutUrl":"https://sso.wuxi.gov.cn/realms/enrol/protocol/openid-connect/logout","scope":"openid profile"}`,
		"aws cloudfront create-invalidation --distribution-id E2DIST",
	}); missing != "" {
		t.Fatalf("no %q in its place; calls:\n%s", missing, strings.Join(calls, "\n"))
	}
	if !strings.Contains(strings.Join(calls, "\n"), "Parameters[?ParameterKey=='OidcAudience']") {
		t.Errorf("the client id was not read from the stack's OidcAudience:\n%s", strings.Join(calls, "\n"))
	}

	for name, extra := range map[string]map[string]string{
		"another issuer": {"FAKE_OIDC_CONFIG": strings.Replace(discovery, `"issuer": "https://sso.wuxi.gov.cn/realms/enrol"`, `"issuer": "https://elsewhere.example/"`, 1)},
		"no document":    {},
		"no audience":    {"FAKE_OIDC_CONFIG": discovery, "FAKE_PARAM_OidcAudience": ""},
	} {
		out, code, calls := s.run(t, with(extra), "infra/deploy/web.sh", "enrol-prod")
		if code == 0 {
			t.Errorf("%s: web.sh succeeded\n%s", name, out)
		}
		for _, c := range calls {
			if strings.HasPrefix(c, "aws s3") || strings.HasPrefix(c, "aws cloudfront") {
				t.Errorf("%s: %q ran though the sign-in could not be configured", name, c)
			}
		}
	}
}
