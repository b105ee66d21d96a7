package localcognito_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/shared/config"
)

// TestStaffCalls: the calls the staff accounts function makes, through
// the real aws-sdk-go-v2 client. A user created with a phone number as
// username gets a new sub, is found by that number and by e-mail, and may
// be named by either; the number cannot be taken twice; attributes are
// set, read back and deleted; groups are added and removed; a global
// sign-out is counted. Unknown filters and attributes are refused as
// Cognito refuses them.
func TestStaffCalls(t *testing.T) {
	srv, err := localcognito.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	awsCfg, err := config.AWS(ctx, "cn-north-1", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := cip.NewFromConfig(awsCfg)
	pool := aws.String(srv.PoolID)
	const phone = "+8613912340001"

	created, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String(phone),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("wang@example.cn")}}})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(created.User.Username)
	if sub == "" || sub == phone || attrOf(created.User.Attributes, "sub") != sub || attrOf(created.User.Attributes, "phone_number") != phone {
		t.Fatalf("created %+v", created.User)
	}
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String(phone)})
	if _, ok := errors.AsType[*types.UsernameExistsException](err); !ok {
		t.Errorf("the same number again: %v, want UsernameExistsException", err)
	}
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("wang@example.cn")})
	if _, ok := errors.AsType[*types.InvalidParameterException](err); !ok {
		t.Errorf("an e-mail address as username: %v, want InvalidParameterException", err)
	}

	for _, filter := range []string{`phone_number = "` + phone + `"`, `email = "wang@example.cn"`, `sub = "` + sub + `"`} {
		out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(filter)})
		if err != nil || len(out.Users) != 1 || aws.ToString(out.Users[0].Username) != sub {
			t.Errorf("ListUsers %s: %+v %v", filter, out, err)
		}
	}
	if out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`phone_number = "+8613900000000"`)}); err != nil || len(out.Users) != 0 {
		t.Errorf("an unknown number: %+v %v", out, err)
	}
	if _, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`name ^= "王"`)}); err == nil {
		t.Error("an unsupported filter was answered")
	}

	for _, name := range []string{sub, phone} { // the sub, or the number as alias
		if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String(name),
			UserAttributes: []types.AttributeType{{Name: aws.String("custom:centre_ids"), Value: aws.String("c1,c2")}}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(phone)})
	if err != nil || attrOf(got.UserAttributes, "custom:centre_ids") != "c1,c2" || len(got.UserMFASettingList) != 0 {
		t.Fatalf("AdminGetUser %+v %v, want custom:centre_ids c1,c2 and no MFA (a new user)", got, err)
	}
	if a := srv.Attributes(sub); a["custom:centre_ids"] != "c1,c2" || a["email"] != "wang@example.cn" {
		t.Errorf("Attributes %v", a)
	}
	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String(sub),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:unknown"), Value: aws.String("x")}}}); err == nil {
		t.Error("an unknown attribute was set")
	}
	if _, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: aws.String(sub),
		UserAttributeNames: []string{"custom:centre_ids"}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Attributes(sub)["custom:centre_ids"]; ok {
		t.Error("custom:centre_ids survived AdminDeleteUserAttributes")
	}

	group := func(add bool, name string) {
		t.Helper()
		var err error
		if add {
			_, err = c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String(sub), GroupName: aws.String(name)})
		} else {
			_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String(sub), GroupName: aws.String(name)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	group(true, "centre-staff")
	group(true, "residents")
	group(false, "centre-staff")
	group(false, "centre-staff") // not a member: still fine
	if g := srv.Groups(sub); !slices.Equal(g, []string{"residents"}) {
		t.Errorf("groups %v, want [residents]", g)
	}
	_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String(sub), GroupName: aws.String("nope")})
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("an unknown group: %v", err)
	}

	if _, err := c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: pool, Username: aws.String(sub)}); err != nil {
		t.Fatal(err)
	}
	if n := srv.SignOuts(sub); n != 1 {
		t.Errorf("sign-outs %d, want 1", n)
	}
	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String(sub)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: pool, Username: aws.String(phone)})
	if _, ok := errors.AsType[*types.UserNotFoundException](err); !ok {
		t.Errorf("a deleted user's sign-out: %v, want UserNotFoundException", err)
	}
	if out, _ := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`phone_number = "` + phone + `"`)}); len(out.Users) != 0 {
		t.Errorf("a deleted user is still listed: %+v", out.Users)
	}
}

func attrOf(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// TestKeepUsers: with KeepUsers, a user made, grouped and given centres
// is there again, with the same sub, number, groups and attributes, in a
// stand-in opened on the same file (a restarted stack's data folder).
func TestKeepUsers(t *testing.T) {
	dir := t.TempDir()
	open := func() (*localcognito.Server, *cip.Client) {
		srv, err := localcognito.Open("127.0.0.1:0", dir+"/deleted.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.KeepUsers(dir + "/users.json"); err != nil {
			t.Fatal(err)
		}
		awsCfg, err := config.AWS(context.Background(), "cn-north-1", srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		return srv, cip.NewFromConfig(awsCfg)
	}
	ctx := context.Background()
	srv, c := open()
	pool := aws.String(srv.PoolID)
	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("+8613912340002")})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(out.User.Username)
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String(sub), GroupName: aws.String("centre-staff")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String(sub),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:centre_ids"), Value: aws.String("c1")}}}); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	again, c := open()
	t.Cleanup(func() { again.Close() })
	if g, a := again.Groups(sub), again.Attributes(sub); !slices.Equal(g, []string{"centre-staff"}) || a["custom:centre_ids"] != "c1" {
		t.Fatalf("after a restart: groups %v, attributes %v", g, a)
	}
	found, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`phone_number = "+8613912340002"`)})
	if err != nil || len(found.Users) != 1 || aws.ToString(found.Users[0].Username) != sub {
		t.Fatalf("the number after a restart: %+v %v", found, err)
	}
}
