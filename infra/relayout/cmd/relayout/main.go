// Command relayout moves an enrol table written before issue 17's reshape
// to the layout the store writes now (infra/relayout): go run
// ./infra/relayout/cmd/relayout -table NAME [-endpoint URL] [-region R].
// It prints what it moved, and exits 1 if it could not move everything (a
// marker of no booking: run tablecheck), 2 on an error. Run it once the new
// code is deployed, before bookings open again, then tablecheck.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/wuxi-enrol/enrol/infra/operatordb"
	"github.com/wuxi-enrol/enrol/infra/relayout"
)

func main() {
	table := flag.String("table", "", "the table to move (required)")
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint (the local stack's); empty: AWS")
	region := flag.String("region", os.Getenv("AWS_REGION"), "AWS region")
	flag.Parse()
	if *table == "" {
		fmt.Fprintln(os.Stderr, "relayout: -table is required / 需要 -table")
		os.Exit(2)
	}
	ctx := context.Background()
	db, err := operatordb.Client(ctx, *region, *endpoint)
	if err == nil {
		var r relayout.Report
		if r, err = relayout.Run(ctx, db, *table); err == nil {
			fmt.Printf("moved %d listings, %d markers, %d no-show blocks\n", r.Listings, r.Markers, r.Blocks)
			for _, k := range r.Skipped {
				fmt.Println("SKIPPED (marker of no booking):", k)
			}
			if len(r.Skipped) > 0 {
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, "relayout:", err)
	os.Exit(2)
}
