// Package operatordb is the DynamoDB client of the commands an operator runs
// against a table (tablecheck, relayout).
package operatordb

import (
	"context"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Client is the local stack's DynamoDB at endpoint, or AWS's with the SDK's
// whole credential chain: an operator runs these commands with a profile or
// an SSO session, not with the variables Lambda gives the functions, which
// are all shared/config.AWS reads.
func Client(ctx context.Context, region, endpoint string) (*dynamodb.Client, error) {
	if endpoint != "" {
		return store.NewClient(ctx, config.Config{Region: region, DynamoDBEndpoint: endpoint})
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg), nil
}
