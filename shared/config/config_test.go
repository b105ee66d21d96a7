package config

import (
	"log/slog"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/auth"
)

func TestFromLookup(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	const arn = "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	c, err := FromLookup(env(map[string]string{"TABLE_NAME": "t", "IDENTITY_KEY_ID": arn, "PERSONAL_DATA_KEY_ID": "alias/enrol-personal-data",
		"KMS_ENDPOINT": "http://127.0.0.1:1", "LOG_LEVEL": "DEBUG", "USER_POOL_ID": "cn-north-1_AbC123", "COGNITO_ENDPOINT": "http://127.0.0.1:2",
		"API_URL": "https://api.enrol.example.cn/prod/"}))
	if err != nil || c.TableName != "t" || c.LogLevel != slog.LevelDebug || c.Region == "" || c.IdentityKeyID != arn ||
		c.PersonalDataKeyID != "alias/enrol-personal-data" || c.KMSEndpoint != "http://127.0.0.1:1" ||
		c.UserPoolID != "cn-north-1_AbC123" || c.CognitoEndpoint != "http://127.0.0.1:2" || c.APIURL != "https://api.enrol.example.cn/prod" {
		t.Fatalf("%+v %v", c, err)
	}
	// A function that handles no personal data names no key.
	if _, err := FromLookup(env(map[string]string{"TABLE_NAME": "t"})); err != nil {
		t.Fatalf("no keys: %v", err)
	}
	for name, m := range map[string]map[string]string{
		"no table":             {"IDENTITY_KEY_ID": arn},
		"key material":         {"TABLE_NAME": "t", "IDENTITY_KEY_ID": "0123456789abcdef0123456789abcdef"},
		"secret as data key":   {"TABLE_NAME": "t", "PERSONAL_DATA_KEY_ID": "c2VjcmV0LWtleS1tYXRlcmlhbA=="},
		"bad level":            {"TABLE_NAME": "t", "LOG_LEVEL": "LOUD"},
		"pool ARN, not id":     {"TABLE_NAME": "t", "USER_POOL_ID": "arn:aws-cn:cognito-idp:cn-north-1:111122223333:userpool/cn-north-1_AbC123"},
		"upper-case uuid-like": {"TABLE_NAME": "t", "IDENTITY_KEY_ID": "1234ABCD-12AB-34CD-56EF-1234567890AB"},
		"API_URL not a URL":    {"TABLE_NAME": "t", "API_URL": "api.enrol.example.cn"},
		"API_URL with a query": {"TABLE_NAME": "t", "API_URL": "https://api.enrol.example.cn/?x=1"},
		"template without id":  {"TABLE_NAME": "t", "WECHAT_TEMPLATES": "promoted=T1,offer_made"},
	} {
		if _, err := FromLookup(env(m)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestMessages: the dispatcher's settings, WeChat's templates by event.
func TestMessages(t *testing.T) {
	c, err := FromLookup(func(k string) (string, bool) {
		v, ok := map[string]string{"TABLE_NAME": "t", "SMS_ORIGINATION_IDENTITY": "WXJY", "EMAIL_FROM": "n@x.cn",
			"WECHAT_APP_ID": "wx1", "WECHAT_CREDENTIALS_ARN": "arn:s", "WECHAT_TEMPLATES": "promoted=T1, offer_made=T2", "CITY_BUS_NAME": "city"}[k]
		return v, ok
	})
	m := c.Messages
	if err != nil || m.SMSOriginationIdentity != "WXJY" || m.EmailFrom != "n@x.cn" || m.WeChatAppID != "wx1" || m.WeChatCredentialsARN != "arn:s" ||
		m.CityBusName != "city" || len(m.WeChatTemplates) != 2 || m.WeChatTemplates["offer_made"] != "T2" {
		t.Fatalf("%+v %v", m, err)
	}
}

func TestIsKMSKeyName(t *testing.T) {
	for v, want := range map[string]bool{
		"1234abcd-12ab-34cd-56ef-1234567890ab":                                            true,
		"mrk-1234abcd12ab34cd56ef1234567890ab":                                            true,
		"alias/enrol-identity":                                                            true,
		"arn:aws:kms:us-east-1:111122223333:alias/enrol-identity":                         true,
		"arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab": true,
		"enrol-local-development-key-not-a-secret":                                        false,
		"{{resolve:secretsmanager:IdHashSecret:SecretString}}":                            false,
		"1234abcd12ab34cd56ef1234567890ab1234":                                            false,
		"arn:aws:secretsmanager:us-east-1:111122223333:secret:enrol-id-hash":              false,
		"": false,
	} {
		if got := IsKMSKeyName(v); got != want {
			t.Errorf("IsKMSKeyName(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestClaims: the claim names default to Cognito's; an OIDC deployment's
// are taken as given; a channel whose setting is "" is off (no SMS, e-mail
// or WeChat sender), as the China regions deploy without SES or End User
// Messaging.
func TestClaims(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cases := []struct {
		name string
		env  map[string]string
		want auth.Claims
	}{
		{"unset", map[string]string{"TABLE_NAME": "t"}, auth.Claims{Groups: "cognito:groups", Centres: "custom:centre_ids", District: "custom:district"}},
		{"empty", map[string]string{"TABLE_NAME": "t", "GROUPS_CLAIM": "", "CENTRES_CLAIM": " ", "DISTRICT_CLAIM": ""}, auth.Claims{Groups: "cognito:groups", Centres: "custom:centre_ids", District: "custom:district"}},
		{"oidc", map[string]string{"TABLE_NAME": "t", "GROUPS_CLAIM": "groups", "CENTRES_CLAIM": "centre_ids", "DISTRICT_CLAIM": "district",
			"SMS_ORIGINATION_IDENTITY": "", "EMAIL_FROM": "", "WECHAT_APP_ID": "", "WECHAT_TEMPLATES": ""}, auth.Claims{Groups: "groups", Centres: "centre_ids", District: "district"}},
	}
	for _, c := range cases {
		got, err := FromLookup(env(c.env))
		if err != nil || got.Claims != c.want {
			t.Errorf("%s: claims %+v %v, want %+v", c.name, got.Claims, err, c.want)
		}
		if m := got.Messages; m.SMSOriginationIdentity != "" || m.EmailFrom != "" || m.WeChatAppID != "" || m.WeChatTemplates != nil {
			t.Errorf("%s: channels on without settings: %+v", c.name, m)
		}
	}
}

// The metrics' namespace and Function dimension come from the log group
// the template gives each function (/aws/lambda/enrol-<Stage>/<LogicalId>).
func TestFunctionFromLogGroup(t *testing.T) {
	for _, tc := range []struct {
		group, name, wantNS, wantFn string
	}{
		{"/aws/lambda/enrol-prod/BookingsFunction", "enrol-prod-BookingsFunction-AbC", "enrol-prod", "BookingsFunction"},
		{"/aws/lambda/enrol-prod-BookingsFunction-AbC", "enrol-prod-BookingsFunction-AbC", "", "enrol-prod-BookingsFunction-AbC"},
		{"", "", "", ""},
	} {
		c, err := FromLookup(func(k string) (string, bool) {
			v, ok := map[string]string{"TABLE_NAME": "t", "AWS_LAMBDA_LOG_GROUP_NAME": tc.group, "AWS_LAMBDA_FUNCTION_NAME": tc.name}[k]
			return v, ok
		})
		if err != nil || c.MetricsNamespace != tc.wantNS || c.Function != tc.wantFn {
			t.Errorf("log group %q: namespace %q function %q (%v), want %q %q", tc.group, c.MetricsNamespace, c.Function, err, tc.wantNS, tc.wantFn)
		}
	}
}
