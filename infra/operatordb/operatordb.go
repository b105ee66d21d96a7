// Package operatordb is the DynamoDB client of the commands an operator runs
// against a table (tablecheck, relayout).
package operatordb

import (
	"context"
	"flag"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Open reads the command's flags (-table, required; -endpoint; -region,
// AWS_REGION by default) and returns the table's name and its client; it
// ends the command with status 2 when the table is not named or the client
// cannot be made. command names it in messages, table says what the table
// is for ("the table to check").
func Open(ctx context.Context, command, table string) (*dynamodb.Client, string) {
	name := flag.String("table", "", table+" (required)")
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint (the local stack's); empty: AWS")
	region := flag.String("region", os.Getenv("AWS_REGION"), "AWS region")
	flag.Parse()
	if *name == "" {
		fmt.Fprintln(os.Stderr, command+": -table is required / 需要 -table")
		os.Exit(2)
	}
	db, err := Client(ctx, *region, *endpoint)
	if err != nil {
		fmt.Fprintln(os.Stderr, command+":", err)
		os.Exit(2)
	}
	return db, *name
}

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
