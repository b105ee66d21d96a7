// Package beacon is the public randomness a lottery's draw waits for: a
// round of a randomness beacon, fixed when applications open, whose value
// nobody (the operator included) can know until it is published after the
// applications close. In the cloud it is drand's quicknet (drand.go: a new
// round every 3 seconds since its genesis, each value a BLS signature
// checked against the network's public key); the local stack serves a
// stand-in on the same schedule (local.go).
package beacon

import (
	"context"
	"errors"
	"time"
)

// ErrNotYet: the round's value is not published yet (the draw is not ready).
var ErrNotYet = errors.New("beacon: round not published yet")

// Beacon is a source of public randomness in numbered rounds.
type Beacon interface {
	// Source names the beacon in the draw document (for example drand's
	// chain hash and where to fetch a round), so anyone can fetch the
	// round themselves.
	Source() string
	// RoundAfter is the first round published strictly after t.
	RoundAfter(t time.Time) uint64
	// Randomness is round's value as lowercase hex, checked (drand: its
	// signature against the chain's public key), or ErrNotYet.
	Randomness(ctx context.Context, round uint64) (string, error)
}

// Schedule is when a beacon's rounds are published: round 1 at Genesis, one
// every Period.
type Schedule struct {
	Genesis time.Time
	Period  time.Duration
}

// RoundAfter is the first round published strictly after t.
func (s Schedule) RoundAfter(t time.Time) uint64 {
	if t.Before(s.Genesis) {
		return 1
	}
	return uint64(t.Sub(s.Genesis)/s.Period) + 2
}

// PublishedAt is when round r is published.
func (s Schedule) PublishedAt(r uint64) time.Time {
	return s.Genesis.Add(time.Duration(r-1) * s.Period)
}

// Quicknet is drand's quicknet schedule: genesis 2023-08-23 15:09:27 UTC,
// a round every 3 seconds.
var Quicknet = Schedule{Genesis: time.Unix(1692803367, 0).UTC(), Period: 3 * time.Second}
