// Command lambda is CentresFunction's entry point on AWS Lambda.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/centres"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// TODO(lead, issue 13): give CentresFunction its beacon once helper C's
// shared/beacon/drand.go is merged, so staff can create lottery offerings
// on AWS (until then Deps.Beacon is nil and creating one is a 500):
//
//	func main() {
//		lambdafn.Main(func(d lambdafn.Deps) http.Handler {
//			d.Beacon = beacon.NewDrand(...) // quicknet by default, from the config
//			return centres.New(d)
//		})
//	}
func main() { lambdafn.Main(centres.New) }
