package config

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWS is the SDK configuration for a client of one AWS service in region:
// the usual credential chain, or, when endpoint overrides the service's (a
// local stand-in, which checks no signature), dummy credentials and that
// endpoint as the base every client made from it uses.
func AWS(ctx context.Context, region, endpoint string, opts ...func(*awsconfig.LoadOptions) error) (aws.Config, error) {
	opts = append([]func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}, opts...)
	if endpoint != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")),
			awsconfig.WithBaseEndpoint(endpoint))
	}
	return awsconfig.LoadDefaultConfig(ctx, opts...)
}
