// Package snapshot is the daily job that records the city's figures.
package snapshot

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// New is the job SnapshotFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	return func(ctx context.Context, at time.Time) error {
		return errors.New("snapshot: in progress")
	}
}
