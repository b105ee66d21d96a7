package deploy

import (
	"strings"
	"testing"
)

// outputs are the deployed stack's outputs the stand-in aws answers.
var outputs = map[string]string{
	"FAKE_OUT_ApiUrl":            "https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev",
	"FAKE_OUT_UserPoolId":        "ap-northeast-1_Pool1",
	"FAKE_OUT_UserPoolClientId":  "client1",
	"FAKE_OUT_AuthDomain":        "https://enrol-wuxi-dev.auth.ap-northeast-1.amazoncognito.com",
	"FAKE_OUT_WebBucketName":     "enrol-dev-web-123456789012",
	"FAKE_OUT_WebDistributionId": "E2DIST",
	"FAKE_OUT_WebUrl":            "https://d111.cloudfront.net/",
}

func TestDeployRunsBuildDeployAndUpload(t *testing.T) {
	for _, tc := range []struct{ env, stack string }{{"dev", "enrol-dev"}, {"prod", "enrol-prod"}} {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, filled(t))
			out, code, calls := s.run(t, outputs, "infra/deploy/deploy.sh", tc.env)
			if code != 0 {
				t.Fatalf("deploy.sh %s: exit %d\n%s", tc.env, code, out)
			}
			region := " @ap-northeast-1"
			if missing := inOrder(calls, []string{
				"aws sts get-caller-identity",
				"make --no-print-directory web",
				"sam build --config-env " + tc.env,
				"sam deploy --config-env " + tc.env,
				"aws cloudformation describe-stacks --stack-name " + tc.stack,
				"aws s3 sync web/dist s3://enrol-dev-web-123456789012/ --delete",
				"aws s3 cp web/dist/index.html s3://enrol-dev-web-123456789012/index.html",
				"aws s3 cp - s3://enrol-dev-web-123456789012/config.json",
				"aws stdin {",
				"aws cloudfront create-invalidation --distribution-id E2DIST --paths /index.html /config.json",
				"aws cloudformation describe-stacks --stack-name " + tc.stack + " --query Stacks[0].Outputs --output table",
			}); missing != "" {
				t.Fatalf("no %q in its place; calls:\n%s", missing, strings.Join(calls, "\n"))
			}
			for _, c := range calls {
				if strings.HasPrefix(c, "aws ") && !strings.HasPrefix(c, "aws stdin") && !strings.HasSuffix(c, region) {
					t.Errorf("%q: not in the environment's region (samconfig.toml)", c)
				}
			}
			for _, c := range calls {
				if strings.HasPrefix(c, "aws stdin") {
					for _, want := range []string{`"apiUrl":"https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev"`, `"region":"ap-northeast-1"`, `"userPoolId":"ap-northeast-1_Pool1"`, `"clientId":"client1"`} {
						if !strings.Contains(c, want) {
							t.Errorf("config.json %s lacks %s", c, want)
						}
					}
				}
			}
			if !strings.Contains(out, "web front end: https://d111.cloudfront.net/") {
				t.Errorf("the site's address is not printed:\n%s", out)
			}
		})
	}
}

func TestDeployRefuses(t *testing.T) {
	onlyOne := strings.Replace(filled(t), `"WeChatTemplates=city-value"`, `"WeChatTemplates=CHANGE-ME"`, 1)
	for _, tc := range []struct {
		name, samconfig, env string
		without              []string
		settings             map[string]string
		code                 int
		says                 []string
		// calls made before stopping; nothing else may be called
		calls []string
	}{
		{name: "unknown ENV", samconfig: filled(t), env: "staging", code: 2,
			says: []string{"unknown environment 'staging'", "dev prod prod-cn"}},
		{name: "no ENV", samconfig: filled(t), env: "", code: 2,
			says: []string{"ENV=<dev prod prod-cn>"}},
		{name: "the shipped placeholders", samconfig: realSamconfig(t), env: "prod", code: 2,
			says: []string{"still CHANGE-ME", "AlarmEmail\n", "SmsOriginationIdentity\n", "EmailIdentity\n", "EmailFrom\n", "WeChatAppId\n", "WeChatCredentialsArn\n", "WeChatTemplates\n"}},
		{name: "one placeholder left", samconfig: onlyOne, env: "dev", code: 2,
			says: []string{"[dev.deploy.parameters]", "  WeChatTemplates\nREADME"}},
		{name: "OIDC placeholders", samconfig: strings.Replace(filled(t), `"OidcIssuer=city-value"`, `"OidcIssuer=CHANGE-ME"`, 1), env: "prod-cn", code: 2,
			says: []string{"  OidcIssuer\nREADME"}},
		{name: "no sam", samconfig: filled(t), env: "dev", without: []string{"sam"}, code: 2,
			says: []string{"sam is not installed", "install-sam-cli"}},
		{name: "no aws", samconfig: filled(t), env: "dev", without: []string{"aws"}, code: 2,
			says: []string{"aws is not installed", "getting-started-install"}},
		{name: "no credentials", samconfig: filled(t), env: "dev", settings: map[string]string{"FAKE_NO_CREDENTIALS": "1"}, code: 2,
			says: []string{"no AWS credentials"}, calls: []string{"aws sts get-caller-identity"}},
		{name: "sam deploy fails", samconfig: filled(t), env: "dev", settings: map[string]string{"FAKE_SAM_DEPLOY_EXIT": "1"}, code: 1,
			calls: []string{"aws sts get-caller-identity", "make --no-print-directory web", "sam build --config-env dev", "sam deploy --config-env dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, tc.samconfig, tc.without...)
			env := map[string]string{}
			for k, v := range outputs {
				env[k] = v
			}
			for k, v := range tc.settings {
				env[k] = v
			}
			out, code, calls := s.run(t, env, "infra/deploy/deploy.sh", tc.env)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out)
			}
			for _, want := range tc.says {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if len(calls) != len(tc.calls) || inOrder(calls, tc.calls) != "" {
				t.Errorf("calls:\n%s\nwant only:\n%s", strings.Join(calls, "\n"), strings.Join(tc.calls, "\n"))
			}
		})
	}
}

// TestDeployAddsDistrictAttribute: after sam deploy, a user pool without
// custom:district gets it (AddCustomAttributes, never the template's
// Schema); one that has it, or a stack without a pool (AuthMode oidc), is
// left alone.
func TestDeployAddsDistrictAttribute(t *testing.T) {
	const add = "aws cognito-idp add-custom-attributes --user-pool-id ap-northeast-1_Pool1 --custom-attributes Name=district,AttributeDataType=String,Mutable=true,StringAttributeConstraints={MinLength=1,MaxLength=32}"
	for _, tc := range []struct {
		name     string
		settings map[string]string
		adds     bool
	}{
		{"a pool without it", nil, true},
		{"a pool with it", map[string]string{"FAKE_POOL_ATTRS": "custom:district"}, false},
		{"no pool", map[string]string{"FAKE_OUT_UserPoolId": "", "FAKE_OUT_AuthIssuer": "https://id.wuxi.gov.cn", "FAKE_PARAM_OidcAudience": "enrol",
			"FAKE_OIDC_CONFIG": `{"issuer":"https://id.wuxi.gov.cn","authorization_endpoint":"https://id.wuxi.gov.cn/auth","token_endpoint":"https://id.wuxi.gov.cn/token","end_session_endpoint":"https://id.wuxi.gov.cn/logout"}`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, filled(t))
			env := map[string]string{}
			for k, v := range outputs {
				env[k] = v
			}
			for k, v := range tc.settings {
				env[k] = v
			}
			out, code, calls := s.run(t, env, "infra/deploy/deploy.sh", "dev")
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			log := strings.Join(calls, "\n")
			if got := strings.Contains(log, add); got != tc.adds {
				t.Errorf("add-custom-attributes called: %v, want %v\n%s", got, tc.adds, log)
			}
			if tc.adds && inOrder(calls, []string{"sam deploy --config-env dev", add, "aws s3 sync"}) != "" {
				t.Errorf("not after sam deploy and before the upload:\n%s", log)
			}
			if tc.name == "no pool" && strings.Contains(log, "cognito-idp") {
				t.Errorf("a stack without a pool: %s", log)
			}
		})
	}
}
