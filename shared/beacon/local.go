package beacon

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Local is the local stack's stand-in for drand: rounds on a schedule, each
// value an HMAC of the round under a key the stack makes when it starts, and
// none given out before its time on the stack's clock. It proves nothing
// (whoever has the key knows every round), which is why it is only local.
type Local struct {
	Schedule
	Key []byte
	// Now is the stack's clock.
	Now func() time.Time
	// URL is where the stack serves a round (the document's source names it).
	URL string
}

// Source names the stand-in and where its rounds are served.
func (l Local) Source() string { return "enrol-local-beacon " + l.URL }

// Randomness is round's value once its time has come on the stack's clock.
func (l Local) Randomness(_ context.Context, round uint64) (string, error) {
	if l.Now().Before(l.PublishedAt(round)) {
		return "", ErrNotYet
	}
	mac := hmac.New(sha256.New, l.Key)
	mac.Write([]byte("enrol-local-beacon|" + strconv.FormatUint(round, 10)))
	return hex.EncodeToString(mac.Sum(nil)), nil
}
