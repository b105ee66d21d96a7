// Command tablecheck reads a whole enrol table and checks its invariants
// (infra/tablecheck): go run ./infra/tablecheck/cmd/tablecheck -table NAME
// [-endpoint URL] [-region R]. It prints the figures and every violation,
// and exits 1 if there is one (2 if the table could not be read). For the
// restore drill in the README: run it on the restored table and on the live
// one, and compare the figures.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/wuxi-enrol/enrol/infra/operatordb"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
)

func main() {
	ctx := context.Background()
	db, table := operatordb.Open(ctx, "tablecheck", "the table to check")
	// The wall clock is right here: which idempotency records have expired
	// is a question about now.
	r, err := tablecheck.Run(ctx, db, table, tablecheck.Options{Now: time.Now()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tablecheck:", err)
		os.Exit(2)
	}
	r.Print(os.Stdout)
	if !r.OK() {
		os.Exit(1)
	}
}
