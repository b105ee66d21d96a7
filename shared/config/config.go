// Package config reads a function's settings once, from the environment that
// template.yaml (or the local stack) sets.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/auth"
)

// userPoolID is Cognito's pattern for a user pool id (API reference,
// UserPoolId: [\w-]+_[0-9a-zA-Z]+).
var userPoolID = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// Config is everything a function needs from its environment.
type Config struct {
	TableName string
	// IdentityKeyID names the KMS HMAC key that turns an ID number into an
	// identity; PersonalDataKeyID the KMS key that wraps the data key sealing
	// personal fields. ARNs, not secrets; "" in a function that needs neither.
	IdentityKeyID     string
	PersonalDataKeyID string
	// KMSEndpoint overrides the AWS endpoint of KMS (the local stand-in).
	KMSEndpoint string
	// UserPoolID is the Cognito user pool of the residents' sign-in
	// accounts, whose users DELETE /v1/me deletes and into which officers
	// invite staff (StaffAccountsFunction); "" in a function that calls no
	// pool. CognitoEndpoint overrides its AWS endpoint (the local
	// stand-in, infra/localcognito).
	UserPoolID      string
	CognitoEndpoint string
	// APIURL is the API's public address (https://host[/stage], no
	// trailing slash), which the calendar feed's address starts with;
	// "" when the deployment names none (see PublicBase in functions/bookings).
	APIURL string
	// DynamoDBEndpoint overrides the AWS endpoint (the local stack, tests).
	DynamoDBEndpoint string
	// DynamoDBNoCapacity: no call asks for its consumed capacity
	// (DYNAMODB_NO_CONSUMED_CAPACITY=1; make test-fidelity sets it for moto,
	// which answers a total only; see shared/store/DESIGN.md, "What a
	// request costs").
	DynamoDBNoCapacity bool
	Region             string
	LogLevel           slog.Level
	// Function names the function on its metrics (the Function dimension):
	// its template logical id, the last segment of the log group the
	// template gives it (/aws/lambda/enrol-<Stage>/<LogicalId>), which
	// Lambda passes as AWS_LAMBDA_LOG_GROUP_NAME; failing that,
	// AWS_LAMBDA_FUNCTION_NAME. The local stack sets it itself.
	Function string
	// MetricsNamespace is the CloudWatch namespace of its metrics: the
	// segment before Function in that log group's name (enrol-<Stage>);
	// "" (shared/metrics' default) without one.
	MetricsNamespace string

	// DrandRelays are the drand HTTP relays a lottery's beacon round is
	// fetched from (DRAND_RELAYS, comma-separated; none: drand's public
	// ones). Every round is checked against quicknet's key, whichever relay.
	DrandRelays []string

	// Claims names the JWT claims the caller's groups, centres and district
	// are read from (GROUPS_CLAIM, CENTRES_CLAIM, DISTRICT_CLAIM; Cognito's
	// by default).
	Claims auth.Claims

	// Messages: the dispatcher's channels and the city's bus (README,
	// "Messages"). A channel whose setting is "" is not sent on.
	Messages Messages
}

// Messages is where the dispatcher sends.
type Messages struct {
	// SMSOriginationIdentity is the End User Messaging sender (sender id,
	// phone number or pool, id or ARN); SMSKeyword its registered keyword.
	SMSOriginationIdentity string
	SMSKeyword             string
	// EmailFrom is the sender address, of a verified SES identity.
	EmailFrom string
	// WeChatAppID is the mini program; WeChatCredentialsARN the Secrets
	// Manager secret holding its app secret; WeChatTemplates the
	// subscription template id by event.
	WeChatAppID          string
	WeChatCredentialsARN string
	WeChatTemplates      map[string]string
	// CityBusName is the EventBridge bus enrol publishes on.
	CityBusName string
}

// FromEnv reads TABLE_NAME, IDENTITY_KEY_ID, PERSONAL_DATA_KEY_ID,
// KMS_ENDPOINT, USER_POOL_ID, COGNITO_ENDPOINT, API_URL, DYNAMODB_ENDPOINT,
// AWS_REGION, LOG_LEVEL, GROUPS_CLAIM, CENTRES_CLAIM, DISTRICT_CLAIM, and the dispatcher's SMS_ORIGINATION_IDENTITY,
// SMS_KEYWORD, EMAIL_FROM, WECHAT_APP_ID, WECHAT_CREDENTIALS_ARN,
// WECHAT_TEMPLATES ("event=template id,…") and CITY_BUS_NAME.
func FromEnv() (Config, error) {
	return FromLookup(os.LookupEnv)
}

// FromLookup is FromEnv over any source of variables.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	c := Config{
		TableName:          get("TABLE_NAME"),
		IdentityKeyID:      get("IDENTITY_KEY_ID"),
		PersonalDataKeyID:  get("PERSONAL_DATA_KEY_ID"),
		KMSEndpoint:        get("KMS_ENDPOINT"),
		UserPoolID:         get("USER_POOL_ID"),
		CognitoEndpoint:    get("COGNITO_ENDPOINT"),
		APIURL:             strings.TrimRight(get("API_URL"), "/"),
		DynamoDBEndpoint:   get("DYNAMODB_ENDPOINT"),
		DynamoDBNoCapacity: get("DYNAMODB_NO_CONSUMED_CAPACITY") == "1",
		Region:             get("AWS_REGION"),
		Claims:             auth.Claims{Groups: get("GROUPS_CLAIM"), Centres: get("CENTRES_CLAIM"), District: get("DISTRICT_CLAIM")},
		Function:           get("AWS_LAMBDA_FUNCTION_NAME"),
		Messages: Messages{
			SMSOriginationIdentity: get("SMS_ORIGINATION_IDENTITY"), SMSKeyword: get("SMS_KEYWORD"),
			EmailFrom: get("EMAIL_FROM"), WeChatAppID: get("WECHAT_APP_ID"), WeChatCredentialsARN: get("WECHAT_CREDENTIALS_ARN"),
			CityBusName: get("CITY_BUS_NAME"),
		},
	}
	if g := get("AWS_LAMBDA_LOG_GROUP_NAME"); strings.HasPrefix(g, "/aws/lambda/") && strings.Count(g, "/") == 4 {
		c.MetricsNamespace, c.Function = path.Split(strings.TrimPrefix(g, "/aws/lambda/"))
		c.MetricsNamespace = strings.TrimSuffix(c.MetricsNamespace, "/")
	}
	if c.Region == "" {
		c.Region = "cn-north-1"
	}
	c.Claims.Groups = cmp.Or(c.Claims.Groups, auth.CognitoGroupsClaim)
	c.Claims.Centres = cmp.Or(c.Claims.Centres, auth.CognitoCentresClaim)
	c.Claims.District = cmp.Or(c.Claims.District, auth.CognitoDistrictClaim)
	var errs []error
	for r := range strings.SplitSeq(get("DRAND_RELAYS"), ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if u, err := url.Parse(r); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			errs = append(errs, fmt.Errorf("DRAND_RELAYS: %q is not an http(s) address", r))
			continue
		}
		c.DrandRelays = append(c.DrandRelays, r)
	}
	if c.TableName == "" {
		errs = append(errs, errors.New("TABLE_NAME is not set"))
	}
	// A key is named, never given: a value that is not a KMS key id, ARN or
	// alias is most likely key material pasted where it must not be.
	for _, kv := range [][2]string{{"IDENTITY_KEY_ID", c.IdentityKeyID}, {"PERSONAL_DATA_KEY_ID", c.PersonalDataKeyID}} {
		if kv[1] != "" && !IsKMSKeyName(kv[1]) {
			errs = append(errs, fmt.Errorf("%s must name a KMS key (key id, key ARN or alias), not hold a key", kv[0]))
		}
	}
	// A user pool id is <region>_<letters and digits>, as Cognito makes it.
	if c.UserPoolID != "" && !userPoolID.MatchString(c.UserPoolID) {
		errs = append(errs, errors.New("USER_POOL_ID must be a Cognito user pool id (<region>_<id>)"))
	}
	// A feed address is given to calendar apps: an absolute http(s) URL
	// with nothing after its path.
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			errs = append(errs, errors.New("API_URL must be the API's address, https://host[/path]"))
		}
	}
	if v := get("WECHAT_TEMPLATES"); v != "" {
		c.Messages.WeChatTemplates = map[string]string{}
		for pair := range strings.SplitSeq(v, ",") {
			event, id, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || event == "" || id == "" {
				errs = append(errs, fmt.Errorf("WECHAT_TEMPLATES: %q is not event=template id", pair))
				continue
			}
			c.Messages.WeChatTemplates[event] = id
		}
	}
	if lv := get("LOG_LEVEL"); lv != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lv)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %w", err))
		}
	}
	return c, errors.Join(errs...)
}

// IsKMSKeyName reports whether v names a KMS key: a key ARN or alias ARN, an
// alias (alias/…) or a key id (a UUID, or mrk-… for a multi-Region key).
func IsKMSKeyName(v string) bool {
	switch {
	case strings.HasPrefix(v, "arn:") && strings.Contains(v, ":kms:") && (strings.Contains(v, ":key/") || strings.Contains(v, ":alias/")):
		return true
	case strings.HasPrefix(v, "alias/"):
		return true
	case strings.HasPrefix(v, "mrk-"):
		return true
	}
	// A UUID key id: 36 characters, hex digits and four dashes.
	if len(v) != 36 {
		return false
	}
	for i, c := range v {
		dash := i == 8 || i == 13 || i == 18 || i == 23
		if dash != (c == '-') || !dash && !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
