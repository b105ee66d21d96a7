// Command relayout moves an enrol table written before issue 17's reshape
// to the layout the store writes now (infra/relayout): go run
// ./infra/relayout/cmd/relayout -table NAME [-endpoint URL] [-region R].
// It prints what it moved, and exits 1 if it could not move everything (a
// marker of no booking: run tablecheck), 2 on an error. Run it once the new
// code is deployed, before bookings open again, then tablecheck.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/wuxi-enrol/enrol/infra/operatordb"
	"github.com/wuxi-enrol/enrol/infra/relayout"
)

func main() {
	ctx := context.Background()
	db, table := operatordb.Open(ctx, "relayout", "the table to move")
	r, err := relayout.Run(ctx, db, table)
	if err != nil {
		fmt.Fprintln(os.Stderr, "relayout:", err)
		os.Exit(2)
	}
	fmt.Printf("moved %d listings, %d markers, %d no-show blocks, %d term items, %d verifications; named %d participants on their person items\n",
		r.Listings, r.Markers, r.Blocks, r.Terms, r.Verifications, r.People)
	for _, k := range r.Skipped {
		fmt.Println("SKIPPED (marker of no booking):", k)
	}
	if len(r.Skipped) > 0 {
		os.Exit(1)
	}
}
