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

	"github.com/wuxi-enrol/enrol/infra/operatordb"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
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
	db, err := operatordb.Client(ctx, *region, *endpoint)
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
