package config

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWS is the SDK configuration for a client of one AWS service in region:
// the credentials Lambda gives every function in its environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, for the
// execution role, valid as long as the execution environment), or, when
// endpoint overrides the service's (a local stand-in, which checks no
// signature), dummy credentials and that endpoint as the base every client
// made from it uses. opts adjust it further (the store's retryer).
//
// Built by hand rather than by the SDK's config.LoadDefaultConfig, whose
// credential chain (SSO, STS web identity, login, IMDS, profile files) a
// function never uses and which linked about 1.9 MB into every bootstrap
// (README, "Cold start and size"). Retries, HTTP client and endpoints are
// each service client's defaults, as LoadDefaultConfig left them here.
func AWS(_ context.Context, region, endpoint string, opts ...func(*aws.Config)) (aws.Config, error) {
	c := aws.Config{Region: region}
	if endpoint != "" {
		c.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
		c.BaseEndpoint = aws.String(endpoint)
	} else {
		// Empty outside Lambda: the first call then fails with the SDK's
		// "static credentials are empty", as it failed to find any before.
		c.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")))
	}
	for _, o := range opts {
		o(&c)
	}
	return c, nil
}
