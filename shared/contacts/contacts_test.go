package contacts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/contacts"
)

// TestDirectory: a sub's user is found with ListUsers through the real SDK
// (against the local stand-in, whose demo users have a verified phone and
// an unverified e-mail); only the verified address counts; a deleted user
// has none; Cognito's trouble is an error.
func TestDirectory(t *testing.T) {
	srv, err := localcognito.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	d, err := contacts.FromConfig(ctx, config.Config{Region: "cn-north-1", CognitoEndpoint: srv.URL, UserPoolID: srv.PoolID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Contact(ctx, "resident-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (contacts.Contact{Sub: "resident-1", Phone: localcognito.DemoPhone("resident-1")}); c != want || len(c.Phone) != 14 {
		t.Fatalf("contact %+v, want %+v", c, want)
	}
	srv.Cognito.Fail("InternalErrorException")
	if _, err := d.Contact(ctx, "resident-1"); err == nil {
		t.Fatal("Cognito's trouble: no error")
	}
	srv.Cognito.Fail("")
	if _, err := d.Cognito.(*cip.Client).AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(srv.PoolID), Username: aws.String("resident-1")}); err != nil {
		t.Fatal(err)
	}
	if c, err := d.Contact(ctx, "resident-1"); err != nil || c != (contacts.Contact{Sub: "resident-1"}) {
		t.Fatalf("a deleted user: %+v %v", c, err)
	}
}

// TestOf: only verified addresses; the openid as set.
func TestOf(t *testing.T) {
	a := func(n, v string) types.AttributeType {
		return types.AttributeType{Name: aws.String(n), Value: aws.String(v)}
	}
	c := contacts.Of("s", []types.AttributeType{a("phone_number", "+8613800000000"), a("phone_number_verified", "false"),
		a("email", "x@y.cn"), a("email_verified", "true"), a("custom:wechat_openid", "oX")})
	if c != (contacts.Contact{Sub: "s", Email: "x@y.cn", WeChatOpenID: "oX"}) || c.Address("sms") != "" || c.Address("email") != "x@y.cn" {
		t.Fatalf("%+v", c)
	}
}
