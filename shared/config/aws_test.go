package config

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestAWS: on Lambda the execution role's credentials come from the
// environment Lambda sets; a local endpoint gets dummy ones and becomes the
// clients' base; options apply last.
func TestAWS(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDROLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	ctx := context.Background()
	tests := []struct {
		name, endpoint        string
		wantKey, wantEndpoint string
	}{
		{"lambda", "", "AKIDROLE", ""},
		{"local", "http://127.0.0.1:8000", "local", "http://127.0.0.1:8000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := AWS(ctx, "cn-north-1", tt.endpoint, func(c *aws.Config) { c.RetryMaxAttempts = 4 })
			if err != nil {
				t.Fatal(err)
			}
			creds, err := c.Credentials.Retrieve(ctx)
			if err != nil || creds.AccessKeyID != tt.wantKey {
				t.Errorf("credentials %q, %v; want %s", creds.AccessKeyID, err, tt.wantKey)
			}
			if tt.endpoint == "" && (creds.SecretAccessKey != "secret" || creds.SessionToken != "token") {
				t.Errorf("the role's secret or session token is lost: %+v", creds)
			}
			if got := aws.ToString(c.BaseEndpoint); got != tt.wantEndpoint {
				t.Errorf("base endpoint %q, want %q", got, tt.wantEndpoint)
			}
			if c.Region != "cn-north-1" || c.RetryMaxAttempts != 4 {
				t.Errorf("region %q, attempts %d", c.Region, c.RetryMaxAttempts)
			}
		})
	}
	t.Run("no credentials", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		c, err := AWS(ctx, "cn-north-1", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Credentials.Retrieve(ctx); err == nil {
			t.Error("empty credentials were accepted")
		}
	})
}
