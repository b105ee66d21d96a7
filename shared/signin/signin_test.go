package signin_test

import (
	"context"
	"net/http"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/signin"
)

// TestDelete: through the real SDK client against the stand-in, a user is
// deleted; deleting it again is success (a retry finishes); a failing
// Cognito, or a pool that does not exist, is the retryable 503; a function
// without a pool cannot delete.
func TestDelete(t *testing.T) {
	srv, err := localcognito.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	c, err := signin.NewClient(ctx, config.Config{Region: "cn-north-1", CognitoEndpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	// One attempt: the SDK's own retries would only slow the failure cases.
	c = cip.New(c.Options(), func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	accounts := signin.NewAccounts(c, srv.PoolID)

	const sub = "7d1f5c3e-0000-4000-8000-000000000001"
	if err := accounts.Delete(ctx, sub); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if !srv.Deleted(sub) || srv.Deleted("someone-else") {
		t.Fatal("the stand-in did not record exactly the deleted user")
	}
	if err := accounts.Delete(ctx, sub); err != nil {
		t.Fatalf("deleting a user already gone: %v", err)
	}

	unavailable := func(name string, err error) {
		t.Helper()
		e := apperr.As(err)
		if err == nil || e.Code != apperr.Unavailable || e.Code.Status() != http.StatusServiceUnavailable || e.RetryAfter == 0 {
			t.Errorf("%s: %v, want a retryable 503", name, err)
		}
	}
	for _, typ := range []string{"InternalErrorException", "NotAuthorizedException"} {
		srv.Fail(typ)
		unavailable(typ, accounts.Delete(ctx, "7d1f5c3e-0000-4000-8000-000000000002"))
	}
	srv.Fail("")
	unavailable("no such pool", signin.NewAccounts(c, "cn-north-1_nope").Delete(ctx, "7d1f5c3e-0000-4000-8000-000000000002"))
	if srv.Deleted("7d1f5c3e-0000-4000-8000-000000000002") {
		t.Error("a failed call deleted the user")
	}

	var none *signin.Accounts
	if err := none.Delete(ctx, sub); err == nil || apperr.As(err).Code != apperr.Internal {
		t.Errorf("no pool configured: %v, want a 500", err)
	}
}
