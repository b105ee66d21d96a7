package centrestaff

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// errNoBeacon: the function was built without a beacon, so it cannot fix
// a lottery's round (a deployment defect: a 500 that says nothing).
var errNoBeacon = errors.New("centrestaff: no beacon configured for lottery offerings")

// NewDraw is lottery offering o's draw record as created: a fresh 32-byte
// secret (crypto/rand, lowercase hex) whose commitment is published at
// once, and the first beacon round published after applications close, so
// nobody can know the randomness while the ticket list can still change.
func NewDraw(b beacon.Beacon, o domain.Offering) (store.DrawRecord, error) {
	if b == nil {
		return store.DrawRecord{}, apperr.Unexpected(errNoBeacon)
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return store.DrawRecord{}, apperr.Unexpected(err)
	}
	hexSecret := hex.EncodeToString(secret[:])
	return store.DrawRecord{
		OfferingID: o.ID, DrawAt: o.DrawAt.UTC().Format(time.RFC3339Nano), Secret: hexSecret,
		Commitment: lottery.Commitment(hexSecret), BeaconSource: b.Source(),
		BeaconRound: b.RoundAfter(*o.ApplicationsCloseAt),
	}, nil
}

// drawTimes is the draw record's new draw time and round after a lottery's
// window moved (before applications opened).
func (s *Service) drawTimes(o domain.Offering) (*store.DrawTimes, error) {
	if s.Beacon == nil {
		return nil, apperr.Unexpected(errNoBeacon)
	}
	return &store.DrawTimes{DrawAt: *o.DrawAt, Round: s.Beacon.RoundAfter(*o.ApplicationsCloseAt)}, nil
}
