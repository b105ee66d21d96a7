package dispatcher

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// secretReader reads one secret's SecretString with Secrets Manager's
// GetSecretValue: a signed JSON request, the one call the dispatcher makes
// of that service (the WeChat app secret, every two hours). Written here
// rather than taken from the SDK's secretsmanager client, which linked
// 131 KB into the dispatcher's bootstrap and kept it over 10 MiB (README,
// "Cold start and size"). No retries of its own: a failed read fails that
// run's WeChat sends, which the outbox retries.
type secretReader struct {
	aws  aws.Config
	http *http.Client
	// endpoint is Secrets Manager's in the region (endpointFor).
	endpoint string
	now      func() time.Time
}

// endpointFor is Secrets Manager's endpoint in region: amazonaws.com.cn in
// the China regions, amazonaws.com elsewhere.
func endpointFor(region string) string {
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://secretsmanager." + region + "." + suffix
}

func (s secretReader) get(ctx context.Context, id string) (string, error) {
	body, err := json.Marshal(map[string]string{"SecretId": id})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	creds, err := s.aws.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("secretsmanager: credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", s.aws.Region, s.now()); err != nil {
		return "", err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue: %w", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue: %w", err)
	}
	var v struct {
		SecretString *string
		Type         string `json:"__type"`
		Message      string `json:"message"`
	}
	jsonErr := json.Unmarshal(out, &v)
	if resp.StatusCode != http.StatusOK {
		// The error's type is "ResourceNotFoundException" or, from some
		// endpoints, "com.amazonaws.secretsmanager#ResourceNotFoundException".
		typ := v.Type[strings.LastIndex(v.Type, "#")+1:]
		return "", fmt.Errorf("secretsmanager GetSecretValue: %d %s: %s", resp.StatusCode, typ, v.Message)
	}
	if jsonErr != nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue: %w", jsonErr)
	}
	if v.SecretString == nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue: secret %s has no SecretString", id)
	}
	return *v.SecretString, nil
}
