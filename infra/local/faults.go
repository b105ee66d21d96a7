package local

import (
	"encoding/json"
	"net/http"

	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
)

// faultsPattern answers what the injector of Options.Faults (make run's
// ENROL_FAULTS) has done: calls seen and faults injected by kind.
const faultsPattern = "GET /_local/faults"

// Faults is the injector on the functions' DynamoDB clients when the stack
// runs with Options.Faults, else nil: tests set At rules on it, or Clear it.
func (s *Stack) Faults() *faults.Injector { return s.faults }

// FaultsReport is GET /_local/faults's answer.
type FaultsReport struct {
	On       bool                `json:"on"`
	Spec     string              `json:"spec,omitempty"`  // ENROL_FAULTS
	Rules    string              `json:"rules,omitempty"` // what the spec asks, in words
	Calls    int                 `json:"calls"`           // the functions' DynamoDB calls since faults came on
	Injected map[faults.Kind]int `json:"injected"`        // faults injected, by kind
}

func (s *Stack) serveFaults(w http.ResponseWriter, _ *http.Request) {
	r := FaultsReport{Injected: map[faults.Kind]int{}}
	if s.faults != nil {
		r = FaultsReport{On: true, Spec: s.faultsSpec, Rules: s.faults.String(), Calls: s.faults.Calls(), Injected: s.faults.Injected()}
	}
	body, _ := json.Marshal(r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}
