// Package staffaccounts is StaffAccountsFunction: officers invite staff to a
// centre and take them off it (issue 19), and staff find or make a
// resident's account by phone number at their centre's counter (issue 20).
// It alone holds the user pool's admin rights (template.yaml: a policy on
// exactly the calls below, on the pool's ARN), so no other function can
// make or change an account.
//
// The table is the source of truth of who is staff where: a staff item per
// centre and person, and each person's centre set (store.AddStaff). The
// pool's centre-staff group and custom:centre_ids are written from that set
// after every change (sync), and read back into the ID token at the next
// sign-in: an ID token already issued keeps its claims for its hour
// (IdTokenValidity 60 minutes); AdminUserGlobalSignOut on removal stops its
// refresh token from minting more.
package staffaccounts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Cognito is what the function calls on the user pool API, and all it may
// call (template.yaml, StaffAccountsFunction's policy);
// *cognitoidentityprovider.Client has it.
type Cognito interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, opts ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, opts ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, opts ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	AdminRemoveUserFromGroup(ctx context.Context, in *cip.AdminRemoveUserFromGroupInput, opts ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error)
	AdminUpdateUserAttributes(ctx context.Context, in *cip.AdminUpdateUserAttributesInput, opts ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error)
	AdminDeleteUserAttributes(ctx context.Context, in *cip.AdminDeleteUserAttributesInput, opts ...func(*cip.Options)) (*cip.AdminDeleteUserAttributesOutput, error)
	AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput, opts ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
	AdminSetUserPassword(ctx context.Context, in *cip.AdminSetUserPasswordInput, opts ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
}

// centresAttr is the pool attribute the token's centres come from.
const centresAttr = "custom:centre_ids"

type api struct {
	deps    lambdafn.Deps
	admin   *centrestaff.Service
	pool    string
	cognito func() (Cognito, error)
	retry   retry.Policy
}

// New is the function's http.Handler; its routes are those of
// StaffAccountsFunction in template.yaml. The pool is USER_POOL_ID (none
// with AuthMode oidc: every route then answers accounts_external); the
// client, made on first use, reaches COGNITO_ENDPOINT when set (the local
// stand-in).
func New(d lambdafn.Deps) http.Handler {
	cfg := d.Config
	connect := sync.OnceValues(func() (Cognito, error) {
		awsCfg, err := config.AWS(context.Background(), cfg.Region, cfg.CognitoEndpoint)
		if err != nil {
			return nil, err
		}
		return cip.NewFromConfig(awsCfg), nil
	})
	return newAPI(d, connect)
}

// NewOn is New calling the user pool through c (tests put a wrapper of
// the stand-in's client there to order concurrent writes).
func NewOn(d lambdafn.Deps, c Cognito) http.Handler {
	return newAPI(d, func() (Cognito, error) { return c, nil })
}

func newAPI(d lambdafn.Deps, connect func() (Cognito, error)) http.Handler {
	a := api{deps: d, admin: &centrestaff.Service{Store: d.Store, Now: d.Now}, pool: d.Config.UserPoolID, cognito: connect}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/centres/{centre_id}/staff", a.route(a.list, auth.CentreStaff, auth.CityOfficers, auth.DistrictOfficers))
	mux.Handle("POST /v1/centres/{centre_id}/staff", a.route(a.invite, auth.CityOfficers, auth.DistrictOfficers))
	mux.Handle("DELETE /v1/centres/{centre_id}/staff/{user_id}", a.route(a.remove, auth.CityOfficers, auth.DistrictOfficers))
	mux.Handle("POST /v1/centres/{centre_id}/assisted", a.route(a.assist, auth.CentreStaff, auth.CityOfficers, auth.DistrictOfficers))
	return httpapi.Serve(d.Log, d.Config.Claims, mux)
}

// errExternal is every staff route's answer where the city's identity
// platform keeps the accounts (AuthMode oidc: no user pool to invite into).
var errExternal = apperr.New(apperr.AccountsExternal,
	"账号由市统一身份认证平台管理，请在该平台为员工开通账号和机构权限",
	"Accounts are managed by the city's identity platform; give staff their accounts and centres there")

// route lets groups in (anyone else 403), then reads the centre the caller
// must manage (any other is not found).
func (a api) route(fn func(http.ResponseWriter, *http.Request, auth.Caller, domain.Centre) error, groups ...string) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.deps.Config.Claims.Require(r, groups...)
		if err != nil {
			return err
		}
		id, err := httpapi.PathID(r, "centre_id")
		if err != nil {
			return err
		}
		centre, err := a.admin.Centre(r.Context(), c, id)
		if err != nil {
			return err
		}
		if a.pool == "" {
			return errExternal
		}
		return fn(w, r, c, centre)
	})
}

func (a api) list(w http.ResponseWriter, r *http.Request, _ auth.Caller, centre domain.Centre) error {
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	items, next, err := a.deps.Store.ListStaff(r.Context(), centre.ID, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// invitation is POST /v1/centres/{centre_id}/staff's body.
type invitation struct {
	Phone string `json:"phone"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// invited is its answer: the staff member, and whether the pool account
// was made now.
type invited struct {
	store.StaffMember
	Created bool `json:"created"`
}

var (
	staffName     = domain.TextRule{Field: "name", ZH: "姓名", Min: 1, Max: 50}
	mainland      = regexp.MustCompile(`^\+861[3-9][0-9]{9}$`)
	emailAddress  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneSpelling = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "")
)

// mobile is a typed mainland mobile number in E.164, as the pool keeps
// it and functions/accounts' PreSignUp takes it: 139…, 86139… and +86139…
// alike, spaces, dashes and brackets ignored; ok is false for anything
// else ("" for nothing typed). Invitations and the counter both read
// numbers here.
func mobile(typed string) (e164 string, ok bool) {
	p := phoneSpelling.Replace(strings.TrimSpace(typed))
	switch {
	case p == "", strings.HasPrefix(p, "+"):
	case strings.HasPrefix(p, "86") && len(p) == 13:
		p = "+" + p
	default:
		p = "+86" + p
	}
	return p, mainland.MatchString(p)
}

// errMobile is the field error of a number that is not a mainland mobile.
var errMobile = [2]string{"应为中国大陆手机号码（1 开头的 11 位号码）", "phone must be a mainland China mobile number (11 digits starting with 1)"}

// check validates and normalises an invitation: a mainland mobile number
// (mobile) and/or an e-mail address, and a name.
func (in *invitation) check() error {
	var v apperr.Validation
	in.Name = staffName.Check(&v, in.Name)
	var ok bool
	in.Phone, ok = mobile(in.Phone)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	switch {
	case in.Phone == "" && in.Email == "":
		v.Add("phone", "请填写手机号码或电子邮箱", "phone or email is required")
	case in.Phone != "" && !ok:
		v.Add("phone", errMobile[0], errMobile[1])
	}
	if in.Email != "" && (len(in.Email) > 254 || !emailAddress.MatchString(in.Email)) {
		v.Add("email", "电子邮箱格式不正确", "email is not an e-mail address")
	}
	return v.Err()
}

// errNeedsPhone: an e-mail address finds an account but cannot make one,
// since the pool's users sign in with their number (UsernameAttributes
// phone_number, which cannot change without replacing the pool).
var errNeedsPhone = apperr.New(apperr.ValidationFailed, "该电子邮箱没有对应的账号；新账号须填写手机号码（以手机号码登录）",
	"No account has this e-mail address; a new account needs a mobile number (accounts sign in with their number)").
	With("phone", "新账号须填写手机号码", "a new account needs phone")

// accountRequest reads and checks a request about one account (an
// invitation, a finding at the counter), then reaches the pool.
func (a api) accountRequest(r *http.Request, in interface{ check() error }) (Cognito, error) {
	if err := httpapi.DecodeJSON(r, in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	cog, err := a.cognito()
	if err != nil {
		return nil, apperr.Unexpected(err)
	}
	return cog, nil
}

func (a api) invite(w http.ResponseWriter, r *http.Request, c auth.Caller, centre domain.Centre) error {
	var in invitation
	cog, err := a.accountRequest(r, &in)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, created, err := a.findOrCreate(ctx, cog, account{phone: in.Phone, email: in.Email})
	if err != nil {
		return err
	}
	m := store.StaffMember{CentreID: centre.ID, UserID: u.sub, Username: u.username, Name: in.Name,
		PhoneMasked: MaskPhone(u.phone), EmailMasked: MaskEmail(cmp.Or(in.Email, u.email)), AddedAt: a.deps.Now(), AddedBy: c.Sub}
	var added bool
	err = a.retry.Do(ctx, func(int) error {
		_, known, err := a.deps.Store.StaffCentres(ctx, u.sub)
		if err != nil {
			return err
		}
		var adopt []string
		if !known { // the first invitation keeps centres given by hand before
			adopt = auth.ParseList(u.centres)
		}
		audit := store.Audit(centre.ID, c.Sub, "staff.add", u.sub, nil,
			map[string]any{"name": m.Name, "phone": m.PhoneMasked, "email": m.EmailMasked, "created": created}, m.AddedAt)
		added, err = a.deps.Store.AddStaff(ctx, m, audit, adopt...)
		return err
	})
	if err != nil {
		return err
	}
	if err := a.sync(ctx, cog, u.username, u.sub); err != nil {
		return err
	}
	status := http.StatusCreated
	if !added { // already on this staff: as it was, nothing written
		status = http.StatusOK
		if m, err = a.deps.Store.GetStaff(ctx, centre.ID, u.sub); err != nil {
			return err
		}
	}
	httpapi.WriteJSON(w, status, invited{StaffMember: m, Created: created})
	return nil
}

// user is a pool user as the invitation and the counter need them.
type user struct {
	sub, username, phone, email, name, centres string
	// pending: made by AdminCreateUser and never given a password
	// (FORCE_CHANGE_PASSWORD).
	pending bool
}

func userOf(username *string, attrs []types.AttributeType) user {
	u := user{username: aws.ToString(username)}
	for _, at := range attrs {
		switch v := aws.ToString(at.Value); aws.ToString(at.Name) {
		case "sub":
			u.sub = v
		case "phone_number":
			u.phone = v
		case "email":
			u.email = v
		case "name":
			u.name = v
		case centresAttr:
			u.centres = v
		}
	}
	if u.sub == "" {
		u.sub = u.username // a pool with UsernameAttributes: the username is the sub
	}
	return u
}

// account is the account findOrCreate looks for, and makes if none is
// found: its number (E.164), e-mail address and name ("" for none).
// quiet makes it without Cognito's message: a resident made at the
// counter is told by our own SMS (notices.AssistedAtCounter), not sent a
// temporary password they did not ask for.
type account struct {
	phone, email, name string
	quiet              bool
}

// findOrCreate finds the account by number, else by e-mail address, else
// makes one with the number as username, verified (Cognito texts the
// invitation and a temporary password unless quiet; TOTP is asked for at
// a staff member's first sign-in, without which the token carries no
// staff group: functions/accounts). Two callers making one new number at
// once: the loser's UsernameExists finds the winner's account.
func (a api) findOrCreate(ctx context.Context, cog Cognito, in account) (user, bool, error) {
	for range 2 {
		for _, f := range [][2]string{{"phone_number", in.phone}, {"email", in.email}} {
			if f[1] == "" {
				continue
			}
			out, err := cog.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(a.pool), Filter: aws.String(fmt.Sprintf("%s = %q", f[0], f[1])), Limit: aws.Int32(2)})
			if err != nil {
				return user{}, false, busy("ListUsers", err)
			}
			if len(out.Users) > 0 {
				u := userOf(out.Users[0].Username, out.Users[0].Attributes)
				u.pending = out.Users[0].UserStatus == types.UserStatusTypeForceChangePassword
				return u, false, nil
			}
		}
		if in.phone == "" {
			return user{}, false, errNeedsPhone
		}
		attrs := []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String(in.phone)},
			{Name: aws.String("phone_number_verified"), Value: aws.String("true")}}
		for _, at := range [][2]string{{"email", in.email}, {"name", in.name}} {
			if at[1] != "" {
				attrs = append(attrs, types.AttributeType{Name: aws.String(at[0]), Value: aws.String(at[1])})
			}
		}
		create := &cip.AdminCreateUserInput{UserPoolId: aws.String(a.pool), Username: aws.String(in.phone),
			UserAttributes: attrs, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeSms}}
		if in.quiet {
			create.MessageAction, create.DesiredDeliveryMediums = types.MessageActionTypeSuppress, nil
		}
		out, err := cog.AdminCreateUser(ctx, create)
		if _, taken := errors.AsType[*types.UsernameExistsException](err); taken {
			continue // made meanwhile: find it
		}
		if err != nil {
			return user{}, false, busy("AdminCreateUser", err)
		}
		u := userOf(out.User.Username, out.User.Attributes)
		u.pending = out.User.UserStatus == types.UserStatusTypeForceChangePassword
		return u, true, nil
	}
	return user{}, false, retry.Busy(errors.New("staffaccounts: the account was neither found nor made"))
}

func (a api) remove(w http.ResponseWriter, r *http.Request, c auth.Caller, centre domain.Centre) error {
	userID, err := httpapi.PathID(r, "user_id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	cog, err := a.cognito()
	if err != nil {
		return apperr.Unexpected(err)
	}
	m, err := a.deps.Store.GetStaff(ctx, centre.ID, userID)
	if apperr.As(err).Code == apperr.NotFound {
		// A removal whose pool writes failed after the table's: bring the
		// pool in line again before answering, so the retry finishes it.
		if _, known, err := a.deps.Store.StaffCentres(ctx, userID); err == nil && known {
			if err := a.sync(ctx, cog, userID, userID); err != nil {
				return err
			}
		}
		return domain.NotFound("staff")
	}
	if err != nil {
		return err
	}
	err = a.retry.Do(ctx, func(int) error {
		return a.deps.Store.RemoveStaff(ctx, centre.ID, userID, store.Audit(centre.ID, c.Sub, "staff.remove", userID,
			map[string]any{"name": m.Name, "phone": m.PhoneMasked, "email": m.EmailMasked}, nil, a.deps.Now()))
	})
	if err != nil {
		return err
	}
	username := cmp.Or(m.Username, userID)
	if err := a.sync(ctx, cog, username, userID); err != nil {
		return err
	}
	// The refresh token stops; the ID token in hand lives out its hour.
	if _, err := cog.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(a.pool), Username: aws.String(username)}); err != nil {
		return busy("AdminUserGlobalSignOut", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// syncRounds bounds sync's rounds: each is lost only to another change
// of the same person's centres in the same instant.
const syncRounds = 5

// sync writes the person's centre set, as the table now holds it, to the
// pool: custom:centre_ids, and centre-staff while the set is not empty.
// Two officers changing one person's centres at once each read the set
// after their own change, but their pool writes may land in either order,
// so the later write could carry the older set. So after writing, the set
// is read again: if it changed meanwhile, it is written again. The last
// write of all is then made after the last change and carries it (each
// writer's last read follows its last write).
func (a api) sync(ctx context.Context, cog Cognito, username, userID string) error {
	pool, name := aws.String(a.pool), aws.String(username)
	set, _, err := a.deps.Store.StaffCentres(ctx, userID)
	if err != nil {
		return err
	}
	for range syncRounds {
		if len(set) > 0 {
			if _, err := cog.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: name,
				UserAttributes: []types.AttributeType{{Name: aws.String(centresAttr), Value: aws.String(strings.Join(set, ","))}}}); err != nil {
				return busy("AdminUpdateUserAttributes", err)
			}
			if _, err := cog.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: name, GroupName: aws.String(auth.CentreStaff)}); err != nil {
				return busy("AdminAddUserToGroup", err)
			}
		} else {
			if _, err := cog.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: name,
				UserAttributeNames: []string{centresAttr}}); err != nil {
				return busy("AdminDeleteUserAttributes", err)
			}
			if _, err := cog.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: name, GroupName: aws.String(auth.CentreStaff)}); err != nil {
				return busy("AdminRemoveUserFromGroup", err)
			}
		}
		again, _, err := a.deps.Store.StaffCentres(ctx, userID)
		if err != nil {
			return err
		}
		if slices.Equal(again, set) {
			return nil
		}
		set = again
	}
	return retry.Busy(fmt.Errorf("staffaccounts: %s's centres kept changing", userID))
}

// busy is a failed pool call: a 503 to retry (inviting and removing are
// safe to repeat); the cause goes to the log only.
func busy(call string, err error) error {
	return retry.Busy(fmt.Errorf("cognito %s: %w", call, err))
}

// MaskPhone shows a number as 139****5678: enough to tell two apart on a
// list, not enough to call.
func MaskPhone(phone string) string {
	p := strings.TrimPrefix(phone, "+86")
	if len(p) != 11 {
		return ""
	}
	return p[:3] + "****" + p[7:]
}

// MaskEmail shows an address as w***@example.cn.
func MaskEmail(email string) string {
	local, domainPart, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return ""
	}
	return string([]rune(local)[:1]) + "***@" + domainPart
}
