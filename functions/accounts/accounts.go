// Package accounts is AccountsFunction: the Cognito user pool's Lambda
// triggers, one handler for all three (Cognito names which in each event's
// triggerSource).
//
//   - PreSignUp: self sign-up only with a mainland China mobile number
//     (+86 1[3-9] and nine digits). The pool texts a code to every number
//     that signs up, so a number abroad (premium-rate ones above all) is
//     the SMS-pumping fraud AWS warns of; users an administrator creates
//     pass.
//   - PostConfirmation: a self-registered user, once confirmed, joins the
//     residents group, without which every resident route answers 403.
//   - PreTokenGeneration (V1, the ID token the web sends as its bearer): a
//     member of centre-staff or city-officers who has not enrolled TOTP gets
//     a token without those groups and with the claim enrol:mfa_setup =
//     "required", so staff and officer routes refuse them until they enrol.
//     With TOTP enrolled, Cognito (MfaConfiguration OPTIONAL) asks for a
//     code at every sign-in: enrolled means MFA was used.
package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// MFASetupClaim is the ID token claim that tells the web the account must
// enrol an authenticator app (TOTP) before its staff or officer groups
// count; its value is MFASetupRequired.
const (
	MFASetupClaim    = "enrol:mfa_setup"
	MFASetupRequired = "required"
)

// totp is Cognito's name for an authenticator app (AdminGetUser's
// UserMFASettingList and PreferredMfaSetting).
const totp = "SOFTWARE_TOKEN_MFA"

// mainlandMobile is a mainland China mobile number in E.164, as Cognito
// keeps phone_number: +86, then 1[3-9] and nine more digits.
var mainlandMobile = regexp.MustCompile(`^\+861[3-9][0-9]{9}$`)

// privileged are the groups that need TOTP.
var privileged = []string{auth.CentreStaff, auth.CityOfficers, auth.DistrictOfficers}

// Cognito is what the triggers call on the user pool API;
// *cognitoidentityprovider.Client has it.
type Cognito interface {
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, opts ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// Triggers is the Lambda handler of every trigger. Safe for concurrent use.
type Triggers struct {
	cognito func() (Cognito, error)
	log     *slog.Logger
}

// New is AccountsFunction's handler: the Cognito client of deps' config
// (COGNITO_ENDPOINT: the local stand-in), made on first use. The pool is
// the event's own (userPoolId): the function is told none, as the pool
// names the function (a template cycle otherwise).
func New(deps lambdafn.Deps) lambda.Handler {
	cfg := deps.Config
	connect := sync.OnceValues(func() (Cognito, error) {
		awsCfg, err := config.AWS(context.Background(), cfg.Region, cfg.CognitoEndpoint)
		if err != nil {
			return nil, err
		}
		return cip.NewFromConfig(awsCfg), nil
	})
	return &Triggers{cognito: connect, log: deps.Log}
}

// NewTriggers is the handler over c (tests).
func NewTriggers(c Cognito, log *slog.Logger) *Triggers {
	return &Triggers{cognito: func() (Cognito, error) { return c, nil }, log: log}
}

// message is a trigger's failure as Cognito shows it to the user
// ("PreSignUp failed with error <message>."): Chinese first, English beside.
type message struct{ text apperr.Text }

func (m *message) Error() string { return m.text.ZH + " / " + m.text.EN }

var errUnavailable = apperr.Text{ZH: "账号服务暂时不可用，请稍后再试", EN: "The account service is unavailable; please try again shortly"}

// Invoke answers one trigger event with the event, its response filled in,
// as Cognito expects; a refusal or failure is an error whose message the
// user sees, and a failure's cause goes only to the log.
func (t *Triggers) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var head events.CognitoEventUserPoolsHeader
	if err := json.Unmarshal(payload, &head); err != nil {
		t.log.Error("trigger event", "err", err)
		return nil, &message{errUnavailable}
	}
	out, err := t.dispatch(ctx, head.TriggerSource, payload)
	if err != nil {
		if e := apperr.As(err); e.Code != apperr.Internal {
			t.log.Info("trigger refused", "trigger", head.TriggerSource, "code", e.Code)
			return nil, &message{e.Text}
		}
		t.log.Error("trigger failed", "trigger", head.TriggerSource, "err", err)
		return nil, &message{errUnavailable}
	}
	return out, nil
}

func (t *Triggers) dispatch(ctx context.Context, source string, payload []byte) ([]byte, error) {
	switch {
	case strings.HasPrefix(source, "PreSignUp_"):
		return handle(payload, func(ev *events.CognitoEventUserPoolsPreSignup) error { return preSignUp(ev) })
	case strings.HasPrefix(source, "PostConfirmation_"):
		return handle(payload, func(ev *events.CognitoEventUserPoolsPostConfirmation) error { return t.postConfirmation(ctx, ev) })
	case strings.HasPrefix(source, "TokenGeneration_"):
		return handle(payload, func(ev *events.CognitoEventUserPoolsPreTokenGen) error { return t.preTokenGeneration(ctx, ev) })
	}
	return nil, fmt.Errorf("accounts: no trigger for triggerSource %q", source)
}

// handle decodes the event as E, lets f fill in its response, and encodes it.
func handle[E any](payload []byte, f func(*E) error) ([]byte, error) {
	ev := new(E)
	if err := json.Unmarshal(payload, ev); err != nil {
		return nil, fmt.Errorf("accounts: decoding the event: %w", err)
	}
	if err := f(ev); err != nil {
		return nil, err
	}
	return json.Marshal(ev)
}

// preSignUp lets a user sign themselves up only with a mainland mobile
// number; an administrator's users (PreSignUp_AdminCreateUser) pass.
func preSignUp(ev *events.CognitoEventUserPoolsPreSignup) error {
	if ev.TriggerSource == "PreSignUp_AdminCreateUser" {
		return nil
	}
	if !mainlandMobile.MatchString(ev.Request.UserAttributes["phone_number"]) {
		return apperr.New(apperr.ValidationFailed,
			"仅支持中国大陆手机号码（+86 1 开头的 11 位号码）注册",
			"Only a mainland China mobile number (+86, 11 digits starting with 1) can sign up")
	}
	return nil
}

// postConfirmation puts a user who confirmed their own sign-up into
// residents. Adding a member again succeeds, so Cognito's retry of a
// timed-out trigger does no harm; a confirmed forgotten password adds
// nothing.
func (t *Triggers) postConfirmation(ctx context.Context, ev *events.CognitoEventUserPoolsPostConfirmation) error {
	if ev.TriggerSource != "PostConfirmation_ConfirmSignUp" {
		return nil
	}
	c, err := t.cognito()
	if err != nil {
		return apperr.Unexpected(err)
	}
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(ev.UserPoolID), Username: aws.String(ev.UserName), GroupName: aws.String(auth.Residents),
	}); err != nil {
		return apperr.Unexpected(fmt.Errorf("cognito AdminAddUserToGroup: %w", err))
	}
	return nil
}

// districtClaim puts a district officer's custom:district in the ID token
// from the trigger's user attributes (which hold every attribute). The app
// client's ReadAttributes, which would put it there by itself, cannot name
// it: the attribute is added by the deploy script after CloudFormation has
// updated the client (infra/deploy/deploy.sh), and a client may not read an
// attribute the pool lacks.
func districtClaim(ev *events.CognitoEventUserPoolsPreTokenGen, groups []string) {
	d := ev.Request.UserAttributes[auth.CognitoDistrictClaim]
	if d == "" || !slices.Contains(groups, auth.DistrictOfficers) {
		return
	}
	if ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride == nil {
		ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{}
	}
	ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride[auth.CognitoDistrictClaim] = d
}

// preTokenGeneration keeps a privileged group in the ID token only for a
// user with TOTP enrolled. The groups are replaced through
// groupOverrideDetails, the one way to change cognito:groups: Cognito
// refuses it in claimsToAddOrOverride (Cognito Developer Guide, "Pre token
// generation Lambda trigger"). Everyone else's groups are echoed unchanged.
func (t *Triggers) preTokenGeneration(ctx context.Context, ev *events.CognitoEventUserPoolsPreTokenGen) error {
	groups := ev.Request.GroupConfiguration.GroupsToOverride
	ev.Response.ClaimsOverrideDetails.GroupOverrideDetails = ev.Request.GroupConfiguration
	if !slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(privileged, g) }) {
		return nil
	}
	c, err := t.cognito()
	if err != nil {
		return apperr.Unexpected(err)
	}
	u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(ev.UserPoolID), Username: aws.String(ev.UserName)})
	if err != nil {
		return apperr.Unexpected(fmt.Errorf("cognito AdminGetUser: %w", err))
	}
	if slices.Contains(u.UserMFASettingList, totp) || aws.ToString(u.PreferredMfaSetting) == totp {
		districtClaim(ev, groups)
		return nil
	}
	kept := []string{} // [] rather than null: no groups at all
	for _, g := range groups {
		if !slices.Contains(privileged, g) {
			kept = append(kept, g)
		}
	}
	ev.Response.ClaimsOverrideDetails.GroupOverrideDetails = events.GroupConfiguration{GroupsToOverride: kept}
	ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{MFASetupClaim: MFASetupRequired}
	return nil
}
