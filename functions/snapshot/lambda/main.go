// Command lambda is SnapshotFunction's entry point on AWS Lambda, invoked by
// its EventBridge schedule.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/snapshot"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainJob(snapshot.New) }
