// Command tablecheck reads a whole enrol table and checks its invariants
// (infra/tablecheck): go run ./infra/tablecheck/cmd/tablecheck -table NAME
// [-endpoint URL] [-region R]. It prints the figures and every violation,
// and exits 1 if there is one (2 if the table could not be read). For the
// restore drill in the README: run it on the restored table and on the live
// one, and compare the figures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func main() {
	table := flag.String("table", "", "the table to check (required)")
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint (the local stack's); empty: AWS")
	region := flag.String("region", os.Getenv("AWS_REGION"), "AWS region")
	flag.Parse()
	if *table == "" {
		fmt.Fprintln(os.Stderr, "tablecheck: -table is required / 需要 -table")
		os.Exit(2)
	}
	ctx := context.Background()
	db, err := client(ctx, *region, *endpoint)
	if err == nil {
		var r tablecheck.Report
		// The wall clock is right here: which idempotency records have
		// expired is a question about now.
		if r, err = tablecheck.Run(ctx, db, *table, tablecheck.Options{Now: time.Now()}); err == nil {
			r.Print(os.Stdout)
			if !r.OK() {
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, "tablecheck:", err)
	os.Exit(2)
}

// client is the local stack's DynamoDB at endpoint, or AWS's with the SDK's
// whole credential chain: an operator runs this with a profile or an SSO
// session, not with the variables Lambda gives the functions, which are all
// shared/config.AWS reads.
func client(ctx context.Context, region, endpoint string) (*dynamodb.Client, error) {
	if endpoint != "" {
		return store.NewClient(ctx, config.Config{Region: region, DynamoDBEndpoint: endpoint})
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg), nil
}
