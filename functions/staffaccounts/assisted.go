package staffaccounts

import (
	"cmp"
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// AssistFor is how long finding a resident at the counter lets the centre
// act for them (store.AssistLink): the visit, or the day's phone calls,
// not a standing right over the account. Finding them again renews it,
// and tells them again.
const AssistFor = 12 * time.Hour

// assistRequest is POST /v1/centres/{centre_id}/assisted's body.
type assistRequest struct {
	Phone string `json:"phone"`
	Name  string `json:"name"`
}

// assisted is its answer.
type assisted struct {
	AccountID  string    `json:"account_id"`
	PhoneLast4 string    `json:"phone_last4"`
	Created    bool      `json:"created"`
	Name       string    `json:"name"`
	ValidUntil time.Time `json:"valid_until"`
}

var residentName = domain.TextRule{Field: "name", ZH: "姓名", Min: 1, Max: 40}

func (in *assistRequest) check() error {
	var v apperr.Validation
	in.Name = residentName.Check(&v, in.Name)
	var ok bool
	switch in.Phone, ok = mobile(in.Phone); {
	case in.Phone == "":
		v.Add("phone", "请填写居民的手机号码", "phone is required")
	case !ok:
		v.Add("phone", errMobile[0], errMobile[1])
	}
	return v.Err()
}

// assist is POST /v1/centres/{centre_id}/assisted: the resident's account
// found by number or made (verified, named, without Cognito's message),
// put in residents (adding a member again is a no-op, so no group is read
// first), then the centre's link to it, its audit record and the
// resident's SMS in one transaction. The pool is written first: a failure
// after it is a 503, and the staff member's retry finds the account made
// (created false then).
func (a api) assist(w http.ResponseWriter, r *http.Request, c auth.Caller, centre domain.Centre) error {
	var in assistRequest
	cog, err := a.accountRequest(r, &in)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, created, err := a.findOrCreate(ctx, cog, account{phone: in.Phone, name: in.Name, quiet: true})
	if err != nil {
		return err
	}
	if u.pending {
		if err := a.confirm(ctx, cog, u.username); err != nil {
			return err
		}
	}
	if _, err := cog.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(a.pool),
		Username: aws.String(u.username), GroupName: aws.String(auth.Residents)}); err != nil {
		return busy("AdminAddUserToGroup", err)
	}
	now := a.deps.Now()
	last4 := in.Phone[len(in.Phone)-4:]
	link := store.AssistLink{CentreID: centre.ID, Account: u.sub, Staff: c.Sub, PhoneLast4: last4, At: now, Until: now.Add(AssistFor)}
	audit := store.Audit(centre.ID, c.Sub, "assist.find", u.sub, nil, map[string]any{"phone_last4": last4, "created": created}, now)
	notice := notices.New(notices.AssistedAtCounter, now).AtCounter(centre)
	notice.Account = u.sub
	if err := a.retry.Do(ctx, func(int) error { return a.deps.Store.PutAssistLink(ctx, link, audit, notice) }); err != nil {
		return err
	}
	// The name the account has, where it has one: staff see whose it is.
	httpapi.WriteJSON(w, http.StatusCreated, assisted{AccountID: u.sub, PhoneLast4: last4, Created: created,
		Name: cmp.Or(u.name, in.Name), ValidUntil: link.Until})
	return nil
}

// confirm gives an account made without Cognito's message a random
// permanent password nobody knows: Cognito refuses "forgot password" to an
// account still waiting for its first password (FORCE_CHANGE_PASSWORD), so
// without it the resident could never sign in on their own; with it they
// set their own through the code texted to their number. Done for every
// pending account the counter finds, so a retry after a failure here
// finishes it (a staff invitee who never signed in, found at the counter,
// then signs in the same way).
func (a api) confirm(ctx context.Context, cog Cognito, username string) error {
	if _, err := cog.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(a.pool),
		Username: aws.String(username), Password: aws.String(unknownPassword()), Permanent: true}); err != nil {
		return busy("AdminSetUserPassword", err)
	}
	return nil
}

// unknownPassword is 26 random characters of each class the pool's policy
// asks for (upper and lower case letters, digits), never shown or kept.
func unknownPassword() string {
	return "Aa1" + strings.ToLower(rand.Text())[:20] + rand.Text()[:3]
}
