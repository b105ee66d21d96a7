package dispatcher

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/wuxi-enrol/enrol/shared/clock"
)

// TestSecretReader: GetSecretValue as Secrets Manager's JSON protocol
// takes it, signed (SigV4, the role's session token, the clock's time),
// its SecretString read back, and the service's errors named.
func TestSecretReader(t *testing.T) {
	const arn = "arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:enrol/wechat-AbCdEf"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct{ SecretId string }
		json.Unmarshal(body, &in)
		auth := r.Header.Get("Authorization")
		switch {
		case r.Method != "POST" || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
			r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
			t.Errorf("request %s %s %v", r.Method, r.URL.Path, r.Header)
		case !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDROLE/20260302/cn-north-1/secretsmanager/aws4_request, SignedHeaders=") ||
			!strings.Contains(auth, "x-amz-target") || r.Header.Get("X-Amz-Date") != "20260302T090000Z" || r.Header.Get("X-Amz-Security-Token") != "token":
			t.Errorf("signature headers %v", r.Header)
		}
		if in.SecretId != arn {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		io.WriteString(w, `{"ARN":"`+arn+`","Name":"enrol/wechat","SecretString":"s3cr3t","VersionId":"v1"}`)
	}))
	defer srv.Close()
	s := secretReader{
		aws:  aws.Config{Region: "cn-north-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDROLE", "secret", "token")},
		http: srv.Client(), endpoint: srv.URL, now: clock.Fixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
	}
	ctx := context.Background()
	if got, err := s.get(ctx, arn); err != nil || got != "s3cr3t" {
		t.Errorf("get = %q, %v", got, err)
	}
	if _, err := s.get(ctx, arn+"x"); err == nil || !strings.Contains(err.Error(), "400 ResourceNotFoundException: Secrets Manager can't find") {
		t.Errorf("a missing secret: %v", err)
	}

	for region, want := range map[string]string{
		"cn-north-1":     "https://secretsmanager.cn-north-1.amazonaws.com.cn",
		"cn-northwest-1": "https://secretsmanager.cn-northwest-1.amazonaws.com.cn",
		"ap-east-1":      "https://secretsmanager.ap-east-1.amazonaws.com",
	} {
		if got := endpointFor(region); got != want {
			t.Errorf("endpointFor(%s) = %s, want %s", region, got, want)
		}
	}
}
