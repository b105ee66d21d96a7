package local

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// beaconPattern serves the local beacon's rounds, as drand's relays serve
// theirs at /<chain>/public/<round>, so a draw document's beacon source can
// be fetched on the stack too. Local only, never in template.yaml.
const beaconPattern = "GET /_local/beacon/public/{round}"

// newBeacon is the stack's stand-in for drand: quicknet's schedule, a key
// made now (so nobody knows a round before the stack's clock reaches it),
// the stack's clock, and its rounds' address under url.
func newBeacon(now func() time.Time, url string) beacon.Local {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return beacon.Local{Schedule: beacon.Quicknet, Key: key, Now: now, URL: url + "/_local/beacon/public/"}
}

// serveBeacon answers a round in drand's JSON shape ({round, randomness};
// the stand-in signs nothing, so there is no signature), or 425 Too Early
// before its time, as drand does.
func (s *Stack) serveBeacon(w http.ResponseWriter, r *http.Request) {
	round, err := strconv.ParseUint(r.PathValue("round"), 10, 64)
	if err != nil || round == 0 {
		http.Error(w, "round must be a positive whole number", http.StatusBadRequest)
		return
	}
	v, err := s.Beacon.Randomness(r.Context(), round)
	switch {
	case errors.Is(err, beacon.ErrNotYet):
		http.Error(w, "round not published yet", http.StatusTooEarly)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"round": round, "randomness": v})
	}
}
