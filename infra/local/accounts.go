package local

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/infra/local/gateway"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/auth"
)

// The user pool's triggers, locally: the template's trigger function
// (AccountsFunction) runs with the events Cognito would send. POST
// /_local/signup {"phone": "+86…"} signs a resident up as the hosted UI
// would (PreSignUp_SignUp, then PostConfirmation_ConfirmSignUp once the
// code is in) and answers the new user's token; every token the stack
// mints passes through PreTokenGeneration.
const signupPattern = "POST /_local/signup"

// cognitoPath is where the browser reaches the Cognito stand-in's user
// calls (enrolling an authenticator app), as it reaches
// https://cognito-idp.<region>.amazonaws.com/ on AWS.
const cognitoPath = "/_local/cognito"

// poolTriggers are the trigger handlers by LambdaConfig name (PreSignUp, …).
type poolTriggers map[string]lambda.Handler

func newPoolTriggers(tmpl *samtemplate.Template, handlers map[string]lambda.Handler) poolTriggers {
	out := poolTriggers{}
	for _, tr := range tmpl.CognitoTriggers() {
		out[tr.Name] = handlers[tr.FunctionID]
	}
	return out
}

// header is the part every trigger event shares, as Cognito fills it in.
func (s *Stack) header(source, sub string) events.CognitoEventUserPoolsHeader {
	return events.CognitoEventUserPoolsHeader{Version: "1", TriggerSource: source, Region: "cn-north-1",
		UserPoolID: s.Cognito.PoolID, UserName: sub,
		CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: Audience}}
}

// invoke runs the trigger name with ev and decodes its answer into out;
// a template without that trigger answers ev unchanged.
func (s *Stack) invoke(ctx context.Context, name string, ev, out any) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	h := s.triggers[name]
	if h == nil {
		return json.Unmarshal(payload, out)
	}
	answer, err := h.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	return json.Unmarshal(answer, out)
}

// preTokenGeneration is the Issuer's TokenHook: the V1 event (ID token).
// As Cognito does, the token carries the groups the pool holds for the user
// (the stand-in's, added to any the caller of POST /_local/token named)
// and the custom attributes the app client reads (custom:centre_ids,
// custom:district) from the stand-in, unless the caller named them: so an
// invited staff member signs in with the centres their invitations gave.
func (s *Stack) preTokenGeneration(ctx context.Context, sub string, groups []string) ([]string, map[string]string, error) {
	for _, g := range s.Cognito.Groups(sub) {
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	attrs := s.Cognito.Attributes(sub)
	ev := events.CognitoEventUserPoolsPreTokenGen{CognitoEventUserPoolsHeader: s.header("TokenGeneration_HostedAuth", sub)}
	ev.Request.UserAttributes = map[string]string{"sub": sub}
	maps.Copy(ev.Request.UserAttributes, attrs)
	ev.Request.GroupConfiguration = events.GroupConfiguration{GroupsToOverride: groups, IAMRolesToOverride: []string{}}
	var out events.CognitoEventUserPoolsPreTokenGen
	if err := s.invoke(ctx, "PreTokenGeneration", ev, &out); err != nil {
		return nil, nil, err
	}
	d := out.Response.ClaimsOverrideDetails
	// groupsToOverride null: no override; [] : no groups.
	if d.GroupOverrideDetails.GroupsToOverride != nil {
		groups = d.GroupOverrideDetails.GroupsToOverride
	}
	claims := maps.Clone(d.ClaimsToAddOrOverride)
	for _, name := range []string{auth.CognitoCentresClaim, auth.CognitoDistrictClaim} {
		if v := attrs[name]; v != "" {
			if claims == nil {
				claims = map[string]string{}
			}
			if _, set := claims[name]; !set {
				claims[name] = v
			}
		}
	}
	return groups, claims, nil
}

// signupAnswer is POST /_local/signup's answer.
type signupAnswer struct {
	Sub       string   `json:"sub"`
	Groups    []string `json:"groups"`
	Token     string   `json:"token"`
	ExpiresAt string   `json:"expires_at"`
}

// serveSignup is POST /_local/signup: a self sign-up with a phone number,
// confirmed at once (locally no code is texted).
func (s *Stack) serveSignup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		gateway.WriteProblem(w, r, http.StatusBadRequest, "invalid_request", "请求体应为 {\"phone\": \"+86…\"}", `The body must be {"phone": "+86…"}`)
		return
	}
	a, err := s.SignUp(r.Context(), in.Phone)
	var refused *signupRefused
	switch {
	case errors.As(err, &refused):
		zh, en, _ := strings.Cut(refused.msg, " / ")
		gateway.WriteProblem(w, r, http.StatusUnprocessableEntity, "validation_failed", zh, en)
	case err != nil:
		s.log.Error("local sign-up", "err", err)
		gateway.WriteProblem(w, r, http.StatusInternalServerError, "internal", "服务器内部错误", "Internal error")
	default:
		b, _ := json.Marshal(a)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
}

// signupRefused is PreSignUp's refusal; msg is the trigger's message.
type signupRefused struct{ msg string }

func (e *signupRefused) Error() string { return "sign-up refused: " + e.msg }

// SignUp signs a resident up with phone as Cognito would, running the
// pool's PreSignUp and PostConfirmation triggers, and mints their token;
// the refusal of PreSignUp is a *signupRefused.
func (s *Stack) SignUp(ctx context.Context, phone string) (signupAnswer, error) {
	sub := newSub()
	pre := events.CognitoEventUserPoolsPreSignup{CognitoEventUserPoolsHeader: s.header("PreSignUp_SignUp", sub)}
	pre.Request.UserAttributes = map[string]string{"phone_number": phone}
	if err := s.invoke(ctx, "PreSignUp", pre, &pre); err != nil {
		return signupAnswer{}, &signupRefused{err.Error()}
	}
	s.Cognito.SignUp(sub, phone)
	post := events.CognitoEventUserPoolsPostConfirmation{CognitoEventUserPoolsHeader: s.header("PostConfirmation_ConfirmSignUp", sub)}
	post.Request.UserAttributes = map[string]string{"sub": sub, "phone_number": phone, "phone_number_verified": "true", "cognito:user_status": "CONFIRMED"}
	if err := s.invoke(ctx, "PostConfirmation", post, &post); err != nil {
		return signupAnswer{}, fmt.Errorf("post confirmation: %w", err)
	}
	groups := s.Cognito.Groups(sub)
	tok, err := s.Issuer.Mint(sub, groups, nil, time.Hour)
	if err != nil {
		return signupAnswer{}, err
	}
	return signupAnswer{Sub: sub, Groups: groups, Token: tok, ExpiresAt: s.now().Add(time.Hour).Format(time.RFC3339)}, nil
}

// newSub is a random version 4 UUID, as Cognito's subs are.
func newSub() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
