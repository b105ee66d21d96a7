package centrestaff_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestStaffRetriesStopWithTheRequest: staff's edit and cancellation go
// round again after a lost race only while the request lives: a cancelled
// context ends them after the write in flight (they used to sleep on
// regardless, 20 times), and a throttled write is answered at once.
func TestStaffRetriesStopWithTheRequest(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone)
	var inj faults.Injector
	st, _ := dbtest.Store(t, inj.Option)
	centre := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(context.Background(), centre, false); err != nil {
		t.Fatal(err)
	}
	svc := &centrestaff.Service{Store: st, Now: func() time.Time { return now }}
	staff := auth.Caller{Sub: "staff-1", Groups: []string{auth.CentreStaff}, CentreIDs: []string{centre.ID}}
	capacity := 9
	edit := func(ctx context.Context) error {
		_, err := svc.Update(ctx, staff, "o", domain.Patch{Capacity: &capacity})
		return err
	}
	cancelOffering := func(ctx context.Context) error {
		_, err := svc.Cancel(ctx, staff, "o", "停课")
		return err
	}
	for _, c := range []struct {
		name   string
		write  func(context.Context) error
		code   string
		cancel bool
		want   apperr.Code
	}{
		{"edit, conflict, request cancelled", edit, "TransactionConflict", true, apperr.Unavailable},
		{"cancel, offering changed, request cancelled", cancelOffering, "ConditionalCheckFailed", true, apperr.Unavailable},
		{"edit, throttled", edit, "ThrottlingError", false, apperr.Unavailable},
		{"cancel, validation error", cancelOffering, "ValidationError", false, apperr.Internal},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The last case's fault goes first: writing the offering (and
			// its listing item) is a transaction too.
			inj.Clear()
			if err := st.PutOffering(context.Background(), dbtest.Offering("o", centre, 5, now), false); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			inj.Fail("TransactWriteItems", 0, func(in any) error {
				if c.cancel {
					cancel()
				}
				return faults.Cancelled(faults.Reason{Code: c.code, Pick: faults.Key("OFFERING#o", "OFFERING")})(in)
			})
			if err := c.write(ctx); !apperr.Is(err, c.want) {
				t.Fatalf("answered %v, want %s", err, c.want)
			}
			if n := inj.Hits("TransactWriteItems"); n != 1 {
				t.Fatalf("%d writes, want 1", n)
			}
		})
	}
}
