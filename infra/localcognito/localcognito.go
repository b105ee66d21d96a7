// Package localcognito is the local stand-in for the Cognito user pools API:
// an HTTP server that speaks its JSON 1.1 protocol
// (X-Amz-Target: AWSCognitoIdentityProviderService.<Op>) for what enrol
// calls — AdminDeleteUser, ListUsers filtered by sub (the dispatcher's
// contacts), and the user pool triggers' (functions/accounts)
// AdminAddUserToGroup and AdminGetUser — so the real aws-sdk-go-v2 client
// works against it unchanged (COGNITO_ENDPOINT); and the three calls the
// web app's 账号安全 / security page makes with a user's access token to
// enrol an authenticator app: AssociateSoftwareToken, VerifySoftwareToken
// (a real RFC 6238 code, checked at the stack's clock) and
// SetUserMFAPreference. UserAPI serves only those, for the local gateway
// to expose to the browser.
//
// Staff accounts (issue 19, functions/staffaccounts): AdminCreateUser (a
// phone number as username, a new sub, no TOTP; residents made at a
// centre's counter too, issue 20), ListUsers filtered by
// phone_number or email as well, AdminUpdateUserAttributes and
// AdminDeleteUserAttributes (email, custom:centre_ids, custom:district),
// AdminRemoveUserFromGroup and AdminUserGlobalSignOut (counted: locally
// there is no refresh token to revoke). A phone number names its user
// wherever a Username is asked for, as an alias does. The local stack puts
// a user's groups and custom attributes held here in every token it mints
// for them, as Cognito does.
//
// Groups and TOTP: the stand-in keeps the groups AdminAddUserToGroup added
// (Groups) and says every user has an authenticator app (TOTP) enrolled,
// so a demo staff member or officer keeps their groups through the
// PreTokenGeneration trigger, except a user who signed up here (SignUp,
// POST /_local/signup: new accounts have none) or one SetTOTP turned off,
// until they enrol one through the three calls above.
// These are kept in memory only, for as long as the server runs.
//
// Every demo user has a phone number made from its sub (DemoPhone: +86 138
// and eight digits), verified, and an e-mail address <sub>@demo.enrol.local,
// not verified: locally SMS reaches everyone and e-mail no one, so the
// dead letter of a resident who chose only e-mail can be seen.
//
// Locally anyone may sign in under any sub (POST /_local/token), so every
// sub is a user of the pool until it is deleted; a deleted sub stays
// deleted for as long as the server runs (Start) or for good (Open, which
// keeps them in a file), and the local token issuer asks Deleted before it
// signs anyone in.
package localcognito

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/infra/datadir"
	"github.com/wuxi-enrol/enrol/infra/loopback"
)

// PoolID is the local user pool's id, shaped as Cognito makes them.
const PoolID = "cn-north-1_enrolLocal"

// Cognito is the stand-in's state and its http.Handler. Safe for concurrent use.
type Cognito struct {
	pool    string
	mu      sync.Mutex
	deleted map[string]bool
	// groups are the groups AdminAddUserToGroup put each user in; phones
	// the numbers users signed up with (SignUp); noTOTP the users without
	// an authenticator app.
	groups map[string][]string
	phones map[string]string
	noTOTP map[string]bool
	// secrets are the keys AssociateSoftwareToken gave each user; verified,
	// the users whose key VerifySoftwareToken confirmed with a code.
	secrets  map[string]string
	verified map[string]bool
	// attrs are the attributes AdminCreateUser and AdminUpdateUserAttributes
	// set (email, custom:centre_ids, custom:district, …), by sub; signOuts
	// count each user's AdminUserGlobalSignOut calls.
	attrs    map[string]map[string]string
	signOuts map[string]int
	// made are the users AdminCreateUser made: unlike a demo user, one
	// has no e-mail address unless it was given.
	made map[string]bool
	now  func() time.Time // SetClock; nil until then
	// accessSub reads the user from an access token (VerifyAccessTokens).
	accessSub func(token string) (string, error)
	failure   string // an error type every call answers, for tests; "" for none
	// save, if set, keeps the deleted users before a deletion is answered.
	save func(deleted []string) error
	// saveUsers, if set (KeepUsers), keeps the users' groups, numbers,
	// attributes and TOTP before an Admin call that changed them answers.
	saveUsers func(users) error
}

// users is what KeepUsers keeps of the pool.
type users struct {
	Groups map[string][]string          `json:"groups"`
	Phones map[string]string            `json:"phones"`
	NoTOTP map[string]bool              `json:"no_totp"`
	Attrs  map[string]map[string]string `json:"attributes"`
	Made   map[string]bool              `json:"made"`
}

// KeepUsers keeps what the Admin calls, SignUp and SetTOTP change (groups,
// phone numbers, attributes, who has no TOTP) in the file at path (0600),
// read back first when it exists, so invited staff keep their centres
// across a restart of a stack with a data folder. Call it before serving.
func (c *Cognito) KeepUsers(path string) error {
	b, err := datadir.ReadFile(path)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b != nil {
		var u users
		if err := json.Unmarshal(b, &u); err != nil {
			return fmt.Errorf("localcognito: %s: %w", path, err)
		}
		maps.Copy(c.groups, u.Groups)
		maps.Copy(c.phones, u.Phones)
		maps.Copy(c.noTOTP, u.NoTOTP)
		maps.Copy(c.attrs, u.Attrs)
		maps.Copy(c.made, u.Made)
	}
	c.saveUsers = func(u users) error {
		b, _ := json.Marshal(u)
		return datadir.WriteFile(path, b)
	}
	return nil
}

// keep saves the users where KeepUsers asked; called with c.mu held.
func (c *Cognito) keep() *apiError {
	if c.saveUsers == nil {
		return nil
	}
	if err := c.saveUsers(users{c.groups, c.phones, c.noTOTP, c.attrs, c.made}); err != nil {
		return &apiError{"InternalErrorException", "the change could not be kept", http.StatusInternalServerError}
	}
	return nil
}

// New is a pool with id poolID whose every user still exists.
func New(poolID string) *Cognito {
	return &Cognito{pool: poolID, deleted: map[string]bool{}, groups: map[string][]string{}, phones: map[string]string{}, noTOTP: map[string]bool{},
		secrets: map[string]string{}, verified: map[string]bool{}, attrs: map[string]map[string]string{}, signOuts: map[string]int{}, made: map[string]bool{}}
}

// SetClock makes VerifySoftwareToken check codes at now (the stack's
// clock); until it is set, VerifySoftwareToken fails.
func (c *Cognito) SetClock(now func() time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

// VerifyAccessTokens says how an access token names its user: sub answers
// the token's sub, or an error for a token Cognito would refuse (expired,
// not signed by the pool). Without it every access token is refused.
func (c *Cognito) VerifyAccessTokens(sub func(token string) (string, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accessSub = sub
}

// SignUp adds the user sub with the phone number phone, confirmed, in no
// group and without TOTP, as a self sign-up leaves one.
func (c *Cognito) SignUp(sub, phone string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.phones[sub], c.noTOTP[sub] = phone, true
	_ = c.keep() // a local sign-up; a failed save shows at the next Admin call's
}

// SetTOTP says whether the user sub has an authenticator app enrolled.
func (c *Cognito) SetTOTP(sub string, enrolled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if enrolled {
		delete(c.noTOTP, sub)
	} else {
		c.noTOTP[sub] = true
	}
	_ = c.keep() // tests and the web's enrolment; see SignUp
}

// Groups are the groups AdminAddUserToGroup put the user sub in, sorted.
func (c *Cognito) Groups(sub string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.groups[sub])
}

// Deleted reports whether the user sub was deleted.
func (c *Cognito) Deleted(sub string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deleted[sub]
}

// Fail makes every call answer the Cognito error errType (e.g.
// "InternalErrorException", "TooManyRequestsException") until Fail("").
func (c *Cognito) Fail(errType string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failure = errType
}

// apiError is Cognito's error body: {"__type", "message"}.
type apiError struct {
	Type, Message string
	Status        int
}

// userOps are the calls a user makes with their own access token, which
// Cognito answers without AWS credentials (SigV4).
var userOps = []string{"AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference"}

// UserAPI serves only userOps, as the browser reaches the real endpoint
// with no AWS credentials: the Admin calls answer as Cognito does then.
func (c *Cognito) UserAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
		if !slices.Contains(userOps, op) {
			writeError(w, &apiError{"MissingAuthenticationTokenException", "Missing Authentication Token", http.StatusBadRequest})
			return
		}
		c.ServeHTTP(w, r)
	})
}

// ServeHTTP answers one call.
func (c *Cognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{"UnknownOperationException", "", http.StatusBadRequest})
		return
	}
	var e *apiError
	var out any
	switch op {
	case "AssociateSoftwareToken":
		var in struct{ AccessToken string }
		if e = decode(r, &in); e == nil {
			out, e = c.associateSoftwareToken(in.AccessToken)
		}
	case "VerifySoftwareToken":
		var in struct{ AccessToken, UserCode, FriendlyDeviceName string }
		if e = decode(r, &in); e == nil {
			out, e = c.verifySoftwareToken(in.AccessToken, in.UserCode)
		}
	case "SetUserMFAPreference":
		var in struct {
			AccessToken              string
			SoftwareTokenMfaSettings *struct{ Enabled, PreferredMfa bool }
		}
		if e = decode(r, &in); e == nil {
			var enabled *bool
			if in.SoftwareTokenMfaSettings != nil {
				enabled = &in.SoftwareTokenMfaSettings.Enabled
			}
			e = c.setUserMFAPreference(in.AccessToken, enabled)
		}
	case "AdminDeleteUser":
		var in struct{ UserPoolId, Username string }
		if e = decode(r, &in); e == nil {
			e = c.adminDeleteUser(in.UserPoolId, in.Username)
		}
	case "ListUsers":
		var in struct{ UserPoolId, Filter string }
		if e = decode(r, &in); e == nil {
			out, e = c.listUsers(in.UserPoolId, in.Filter)
		}
	case "AdminAddUserToGroup":
		var in struct{ UserPoolId, Username, GroupName string }
		if e = decode(r, &in); e == nil {
			e = c.adminAddUserToGroup(in.UserPoolId, in.Username, in.GroupName)
		}
	case "AdminGetUser":
		var in struct{ UserPoolId, Username string }
		if e = decode(r, &in); e == nil {
			out, e = c.adminGetUser(in.UserPoolId, in.Username)
		}
	case "AdminCreateUser":
		var in struct {
			UserPoolId, Username, MessageAction string
			UserAttributes                      []attr
			DesiredDeliveryMediums              []string
		}
		if e = decode(r, &in); e == nil {
			out, e = c.adminCreateUser(in.UserPoolId, in.Username, in.UserAttributes)
		}
	case "AdminUpdateUserAttributes":
		var in struct {
			UserPoolId, Username string
			UserAttributes       []attr
		}
		if e = decode(r, &in); e == nil {
			e = c.adminUpdateUserAttributes(in.UserPoolId, in.Username, in.UserAttributes)
		}
	case "AdminDeleteUserAttributes":
		var in struct {
			UserPoolId, Username string
			UserAttributeNames   []string
		}
		if e = decode(r, &in); e == nil {
			e = c.adminDeleteUserAttributes(in.UserPoolId, in.Username, in.UserAttributeNames)
		}
	case "AdminRemoveUserFromGroup":
		var in struct{ UserPoolId, Username, GroupName string }
		if e = decode(r, &in); e == nil {
			e = c.adminRemoveUserFromGroup(in.UserPoolId, in.Username, in.GroupName)
		}
	case "AdminUserGlobalSignOut":
		var in struct{ UserPoolId, Username string }
		if e = decode(r, &in); e == nil {
			e = c.adminUserGlobalSignOut(in.UserPoolId, in.Username)
		}
	default:
		e = &apiError{"UnknownOperationException", "localcognito does not implement " + op, http.StatusBadRequest}
	}
	if e != nil {
		writeError(w, e)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// decode reads a call's JSON body into in.
func decode(r *http.Request, in any) *apiError {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(in); err != nil {
		return &apiError{"SerializationException", "cannot read the request", http.StatusBadRequest}
	}
	return nil
}

// knownGroups are the pool's groups (template.yaml).
var knownGroups = []string{"residents", "centre-staff", "city-officers", "district-officers"}

// user is the checks every Admin call makes on pool and username.
func (c *Cognito) user(pool, username string) *apiError {
	switch {
	case c.failing() != nil:
		return c.failing()
	case pool != c.pool:
		return &apiError{"ResourceNotFoundException", "User pool " + pool + " does not exist.", http.StatusBadRequest}
	case username == "" || len(username) > 128:
		return &apiError{"InvalidParameterException", "Username must be 1 to 128 characters", http.StatusBadRequest}
	case c.deleted[username]:
		return &apiError{"UserNotFoundException", "User does not exist.", http.StatusBadRequest}
	}
	return nil
}

// adminAddUserToGroup adds the user to a group; adding a member again
// succeeds, as Cognito's does.
func (c *Cognito) adminAddUserToGroup(pool, username, group string) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return e
	}
	if !slices.Contains(knownGroups, group) {
		return &apiError{"ResourceNotFoundException", "Group not found.", http.StatusBadRequest}
	}
	if !slices.Contains(c.groups[username], group) {
		c.groups[username] = append(c.groups[username], group)
		slices.Sort(c.groups[username])
	}
	return c.keep()
}

// adminGetUser answers with the user's attributes and MFA settings: TOTP
// enrolled unless the user signed up here or SetTOTP turned it off.
func (c *Cognito) adminGetUser(pool, username string) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return nil, e
	}
	out := map[string]any{"Username": username, "Enabled": true, "UserStatus": "CONFIRMED", "UserAttributes": c.attributes(username)}
	if !c.noTOTP[username] {
		out["UserMFASettingList"] = []string{"SOFTWARE_TOKEN_MFA"}
		out["PreferredMfaSetting"] = "SOFTWARE_TOKEN_MFA"
	}
	return out, nil
}

// tokenUser is the user an access token is for, as the Admin calls check
// theirs. Called without c.mu held: the verifier is the stack's, which may
// reach back into the stand-in.
func (c *Cognito) tokenUser(token string) (string, *apiError) {
	c.mu.Lock()
	failing, verify := c.failing(), c.accessSub
	c.mu.Unlock()
	if failing != nil {
		return "", failing
	}
	invalid := &apiError{"NotAuthorizedException", "Invalid Access Token", http.StatusBadRequest}
	if token == "" || verify == nil {
		return "", invalid
	}
	sub, err := verify(token)
	if err != nil || sub == "" || c.Deleted(sub) {
		return "", invalid
	}
	return sub, nil
}

// associateSoftwareToken gives the user a new key; any earlier key not yet
// verified is forgotten, as Cognito replaces it.
func (c *Cognito) associateSoftwareToken(token string) (any, *apiError) {
	sub, e := c.tokenUser(token)
	if e != nil {
		return nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	secret := newSecret()
	c.secrets[sub], c.verified[sub] = secret, false
	return map[string]string{"SecretCode": secret}, nil
}

// verifySoftwareToken checks a code from the app against the user's key
// at the stack's clock. A wrong code is Cognito's
// EnableSoftwareTokenMFAException ("Code mismatch").
func (c *Cognito) verifySoftwareToken(token, code string) (any, *apiError) {
	sub, e := c.tokenUser(token)
	if e != nil {
		return nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	secret, ok := c.secrets[sub]
	switch {
	case c.now == nil:
		return nil, &apiError{"InternalErrorException", "localcognito has no clock (SetClock)", http.StatusInternalServerError}
	case !ok:
		return nil, &apiError{"InvalidParameterException", "User has not associated a software token.", http.StatusBadRequest}
	case !codeMatches(secret, code, c.now()):
		return nil, &apiError{"EnableSoftwareTokenMFAException", "Code mismatch", http.StatusBadRequest}
	}
	c.verified[sub] = true
	return map[string]string{"Status": "SUCCESS"}, nil
}

// setUserMFAPreference turns TOTP on (only once verified) or off; with
// it on, AdminGetUser lists SOFTWARE_TOKEN_MFA and the PreTokenGeneration
// trigger keeps a staff member's groups.
func (c *Cognito) setUserMFAPreference(token string, enabled *bool) *apiError {
	sub, e := c.tokenUser(token)
	if e != nil {
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case enabled == nil:
		return nil
	case *enabled && !c.verified[sub]:
		return &apiError{"InvalidParameterException", "User has not verified software token mfa", http.StatusBadRequest}
	case *enabled:
		delete(c.noTOTP, sub)
	default:
		c.noTOTP[sub] = true
	}
	return c.keep()
}

// failing is the error every call answers while a test asks for it.
func (c *Cognito) failing() *apiError {
	if c.failure == "" {
		return nil
	}
	status := http.StatusBadRequest
	if c.failure == "InternalErrorException" {
		status = http.StatusInternalServerError
	}
	return &apiError{c.failure, "failing as the test asked", status}
}

// userFilter is the filters ListUsers answers: sub, phone_number or
// email = "<value>" (Cognito's exact match).
var userFilter = regexp.MustCompile(`^(sub|phone_number|email)\s*=\s*"([^"]+)"$`)

// phone is the number the user sub signed up or was created with, else
// its DemoPhone.
func (c *Cognito) phone(sub string) string {
	if p, ok := c.phones[sub]; ok {
		return p
	}
	return DemoPhone(sub)
}

// DemoPhone is the verified phone number of the demo user sub.
func DemoPhone(sub string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sub))
	return fmt.Sprintf("+86138%08d", h.Sum32()%100000000)
}

// attr is one of a user's attributes as the API writes them.
type attr struct{ Name, Value string }

// attributes are the user's attributes as ListUsers and AdminGetUser
// answer them: sub, the phone number (verified), the e-mail address (a
// demo user's <sub>@demo.enrol.local unless one was set, none for a user
// AdminCreateUser made without one; never verified)
// and what AdminCreateUser and AdminUpdateUserAttributes set.
func (c *Cognito) attributes(sub string) []attr {
	set := c.attrs[sub]
	email := set["email"]
	if email == "" && !c.made[sub] {
		email = sub + "@demo.enrol.local"
	}
	out := []attr{{"sub", sub}, {"phone_number", c.phone(sub)}, {"phone_number_verified", "true"}}
	if email != "" {
		out = append(out, attr{"email", email}, attr{"email_verified", "false"})
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if k != "email" {
			out = append(out, attr{k, set[k]})
		}
	}
	return out
}

// Attributes are the custom and e-mail attributes set on the user sub
// (AdminCreateUser, AdminUpdateUserAttributes), as the ID token carries
// those the app client may read.
func (c *Cognito) Attributes(sub string) map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.attrs[sub])
}

// SignOuts counts AdminUserGlobalSignOut calls for the user sub.
func (c *Cognito) SignOuts(sub string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.signOuts[sub]
}

// resolve is the sub a Username names: a phone number is an alias
// (UsernameAttributes phone_number) of the user created or signed up with
// it; anything else is the sub itself.
func (c *Cognito) resolve(username string) string {
	for sub, p := range c.phones {
		if p == username {
			return sub
		}
	}
	return username
}

// listUsers answers ListUsers filtered by sub (every sub not deleted is a
// demo user), phone_number or email (only users created or signed up
// here, or given that address, can be found by them).
func (c *Cognito) listUsers(pool, filter string) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := userFilter.FindStringSubmatch(strings.TrimSpace(filter))
	switch {
	case c.failing() != nil:
		return nil, c.failing()
	case pool != c.pool:
		return nil, &apiError{"ResourceNotFoundException", "User pool " + pool + " does not exist.", http.StatusBadRequest}
	case m == nil:
		return nil, &apiError{"InvalidParameterException", "localcognito answers only the filters sub, phone_number or email = \"...\"", http.StatusBadRequest}
	}
	var subs []string
	switch m[1] {
	case "sub":
		subs = []string{m[2]}
	case "phone_number":
		for sub, p := range c.phones {
			if p == m[2] {
				subs = append(subs, sub)
			}
		}
	case "email":
		for sub, a := range c.attrs {
			if a["email"] == m[2] {
				subs = append(subs, sub)
			}
		}
	}
	slices.Sort(subs)
	users := []any{}
	for _, sub := range subs {
		if !c.deleted[sub] {
			users = append(users, map[string]any{"Username": sub, "Enabled": true, "UserStatus": "CONFIRMED", "Attributes": c.attributes(sub)})
		}
	}
	return map[string]any{"Users": users}, nil
}

// mutable are the attributes the Admin calls may set here: enrol's custom
// ones, the e-mail address and the name (a resident made at a centre's
// counter); the phone number is the username.
var mutable = map[string]bool{"email": true, "name": true, "custom:centre_ids": true, "custom:district": true}

// adminCreateUser makes a user whose username is a phone number (the
// pool's UsernameAttributes) with a new sub, in no group and without an
// authenticator app, as Cognito leaves one; a number already taken is
// UsernameExistsException.
func (c *Cognito) adminCreateUser(pool, phone string, attrs []attr) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.user(pool, phone); e != nil {
		return nil, e
	}
	if !e164.MatchString(phone) {
		return nil, &apiError{"InvalidParameterException", "Username should be a phone number.", http.StatusBadRequest}
	}
	if c.resolve(phone) != phone {
		return nil, &apiError{"UsernameExistsException", "An account with the given phone_number already exists.", http.StatusBadRequest}
	}
	set := map[string]string{}
	for _, a := range attrs {
		switch {
		case a.Name == "phone_number" && a.Value == phone, a.Name == "phone_number_verified":
		case mutable[a.Name]:
			set[a.Name] = a.Value
		default:
			return nil, &apiError{"InvalidParameterException", "Attribute " + a.Name + " cannot be set here.", http.StatusBadRequest}
		}
	}
	sub := newSub()
	c.phones[sub], c.noTOTP[sub], c.made[sub] = phone, true, true
	if len(set) > 0 {
		c.attrs[sub] = set
	}
	if e := c.keep(); e != nil {
		return nil, e
	}
	return map[string]any{"User": map[string]any{"Username": sub, "Enabled": true, "UserStatus": "FORCE_CHANGE_PASSWORD", "Attributes": c.attributes(sub)}}, nil
}

// e164 is a phone number as Cognito takes one: + and up to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func (c *Cognito) adminUpdateUserAttributes(pool, username string, attrs []attr) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return e
	}
	for _, a := range attrs {
		if !mutable[a.Name] {
			return &apiError{"InvalidParameterException", "Attribute " + a.Name + " cannot be set here.", http.StatusBadRequest}
		}
	}
	if c.attrs[username] == nil {
		c.attrs[username] = map[string]string{}
	}
	for _, a := range attrs {
		c.attrs[username][a.Name] = a.Value
	}
	return c.keep()
}

func (c *Cognito) adminDeleteUserAttributes(pool, username string, names []string) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return e
	}
	for _, n := range names {
		delete(c.attrs[username], n)
	}
	return c.keep()
}

// adminRemoveUserFromGroup takes the user out of a group; one not in it
// stays out, and the call succeeds, as Cognito's does.
func (c *Cognito) adminRemoveUserFromGroup(pool, username, group string) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return e
	}
	if !slices.Contains(knownGroups, group) {
		return &apiError{"ResourceNotFoundException", "Group not found.", http.StatusBadRequest}
	}
	c.groups[username] = slices.DeleteFunc(c.groups[username], func(g string) bool { return g == group })
	return c.keep()
}

// adminUserGlobalSignOut revokes the user's refresh tokens: locally there
// are none, so it is only counted (SignOuts). ID tokens already issued
// live out their hour, as on Cognito.
func (c *Cognito) adminUserGlobalSignOut(pool, username string) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return e
	}
	c.signOuts[username]++
	return nil
}

// newSub is a random version 4 UUID, as Cognito's subs are.
func newSub() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (c *Cognito) adminDeleteUser(pool, username string) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	username = c.resolve(username)
	if e := c.user(pool, username); e != nil {
		return e
	}
	c.deleted[username] = true
	if c.save != nil {
		if err := c.save(slices.Sorted(maps.Keys(c.deleted))); err != nil {
			delete(c.deleted, username)
			return &apiError{"InternalErrorException", "the deletion could not be kept", http.StatusInternalServerError}
		}
	}
	return nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", e.Type)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}

// Server is a running stand-in with enrol's user pool.
type Server struct {
	*Cognito
	URL    string
	PoolID string
	srv    *http.Server
}

// Start serves a fresh pool (PoolID) on addr ("127.0.0.1:0").
func Start(addr string) (*Server, error) { return serve(addr, New(PoolID)) }

func serve(addr string, c *Cognito) (*Server, error) {
	s := &Server{Cognito: c, PoolID: PoolID}
	var err error
	if s.URL, s.srv, err = loopback.Serve(addr, c); err != nil {
		return nil, err
	}
	return s, nil
}

// Open is Start with the deleted users kept in the file at path (0600),
// read back when it exists.
func Open(addr, path string) (*Server, error) {
	b, err := datadir.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var deleted []string
	if b != nil {
		if err := json.Unmarshal(b, &deleted); err != nil {
			return nil, fmt.Errorf("localcognito: %s: %w", path, err)
		}
	}
	c := New(PoolID)
	for _, sub := range deleted {
		c.deleted[sub] = true
	}
	c.save = func(deleted []string) error {
		b, _ := json.Marshal(deleted)
		return datadir.WriteFile(path, b)
	}
	return serve(addr, c)
}

// Close stops the server; what it deleted is forgotten unless Open keeps it.
func (s *Server) Close() error { return s.srv.Close() }
