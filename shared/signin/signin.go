// Package signin holds the residents' sign-in accounts: the Cognito user
// pool's users, which carry each resident's phone number. DELETE /v1/me
// deletes the caller's user once the table holds nothing more of them.
package signin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// Cognito is what enrol calls on the Cognito user pools API;
// *cognitoidentityprovider.Client has it.
type Cognito interface {
	AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, opts ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

// NewClient is the Cognito client for cfg: AWS as usual, or
// cfg.CognitoEndpoint (the local stand-in, infra/localcognito).
func NewClient(ctx context.Context, cfg config.Config) (*cip.Client, error) {
	awsCfg, err := config.AWS(ctx, cfg.Region, cfg.CognitoEndpoint)
	if err != nil {
		return nil, err
	}
	return cip.NewFromConfig(awsCfg), nil
}

// Accounts deletes users of one user pool. Safe for concurrent use.
type Accounts struct {
	cognito func() (Cognito, error)
	pool    string
}

// NewAccounts deletes users of the pool poolID through c.
func NewAccounts(c Cognito, poolID string) *Accounts {
	return &Accounts{cognito: func() (Cognito, error) { return c, nil }, pool: poolID}
}

// FromConfig deletes users of the pool cfg names, through a client made on
// first use; nil when cfg names no pool (the function may not delete
// users). Only the function that deletes users imports this package, so
// the Cognito SDK is linked into no other function.
func FromConfig(cfg config.Config) *Accounts {
	if cfg.UserPoolID == "" {
		return nil
	}
	connect := sync.OnceValues(func() (*cip.Client, error) { return NewClient(context.Background(), cfg) })
	return &Accounts{cognito: func() (Cognito, error) { return connect() }, pool: cfg.UserPoolID}
}

// Delete deletes the sign-in account whose sub is sub; one already gone is
// deleted too, so a retry after a failure finishes. Any other failure is a
// 503 to retry (the cause goes to the log only).
//
// The user is named by its sub: the pool's usernames are its phone numbers
// (UsernameAttributes), and AdminDeleteUser's Username "can be any of their
// alias attributes. If username isn't an alias attribute in your user pool,
// this value must be the sub of a local user" (Cognito API reference,
// AdminDeleteUser, Request Parameters). A pool with UsernameAttributes gives
// each user a generated username equal to its sub, so the sub names it
// either way, and the function never needs the phone number.
func (a *Accounts) Delete(ctx context.Context, sub string) error {
	if a == nil { // a function given no user pool (least privilege): a 500 (apperr.As)
		return errors.New("signin: no user pool configured for this function")
	}
	c, err := a.cognito()
	if err != nil {
		return fmt.Errorf("signin: Cognito client: %w", err) // a 500: the configuration is wrong
	}
	_, err = c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(a.pool), Username: aws.String(sub)})
	var gone *types.UserNotFoundException
	switch {
	case err == nil, errors.As(err, &gone):
		return nil
	default:
		return retry.Busy(fmt.Errorf("cognito AdminDeleteUser: %w", err))
	}
}
