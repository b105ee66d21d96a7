// Package contacts finds where a resident can be reached: the verified
// phone number, e-mail address and WeChat openid of their Cognito user,
// looked up by sub. Never from a request body: an address counts only once
// Cognito says the resident verified it (the openid is set by the WeChat
// sign-in, which proves it).
package contacts

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/wuxi-enrol/enrol/shared/config"
)

// Contact is where one resident can be reached; "" where they cannot.
type Contact struct {
	Sub          string
	Phone        string // E.164, verified
	Email        string // verified
	WeChatOpenID string
}

// Address is c's address on channel ("sms", "email", "wechat"), or "".
func (c Contact) Address(channel string) string {
	switch channel {
	case "sms":
		return c.Phone
	case "email":
		return c.Email
	case "wechat":
		return c.WeChatOpenID
	}
	return ""
}

// Cognito is what contacts calls on the user pools API;
// *cognitoidentityprovider.Client has it.
type Cognito interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, opts ...func(*cip.Options)) (*cip.ListUsersOutput, error)
}

// Directory reads contacts from one user pool.
type Directory struct {
	Cognito Cognito
	PoolID  string
}

// FromConfig is the directory of the pool cfg names, through AWS or
// cfg.CognitoEndpoint (the local stand-in, infra/localcognito).
func FromConfig(ctx context.Context, cfg config.Config) (*Directory, error) {
	if cfg.UserPoolID == "" {
		return nil, errors.New("contacts: USER_POOL_ID is not set")
	}
	awsCfg, err := config.AWS(ctx, cfg.Region, cfg.CognitoEndpoint)
	if err != nil {
		return nil, err
	}
	return &Directory{Cognito: cip.NewFromConfig(awsCfg), PoolID: cfg.UserPoolID}, nil
}

// Contact is sub's verified addresses; a sub with no user (deleted) has
// none. An error is Cognito's trouble, worth retrying.
func (d *Directory) Contact(ctx context.Context, sub string) (Contact, error) {
	out, err := d.Cognito.ListUsers(ctx, &cip.ListUsersInput{
		UserPoolId: aws.String(d.PoolID), Filter: aws.String(fmt.Sprintf("sub = %q", sub)), Limit: aws.Int32(1),
		AttributesToGet: []string{"phone_number", "phone_number_verified", "email", "email_verified", "custom:wechat_openid"},
	})
	if err != nil {
		return Contact{}, fmt.Errorf("cognito ListUsers: %w", err)
	}
	c := Contact{Sub: sub}
	if len(out.Users) == 0 {
		return c, nil
	}
	return Of(sub, out.Users[0].Attributes), nil
}

// Of is the contact a user's attributes give: only verified addresses.
func Of(sub string, attrs []types.AttributeType) Contact {
	a := map[string]string{}
	for _, at := range attrs {
		a[aws.ToString(at.Name)] = aws.ToString(at.Value)
	}
	c := Contact{Sub: sub, WeChatOpenID: a["custom:wechat_openid"]}
	if a["phone_number_verified"] == "true" {
		c.Phone = a["phone_number"]
	}
	if a["email_verified"] == "true" {
		c.Email = a["email"]
	}
	return c
}
