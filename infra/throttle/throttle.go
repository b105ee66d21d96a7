// Package throttle is API Gateway's token bucket, as the local gateway
// applies it to requests and the opening-night model to its clients.
package throttle

import "time"

// Bucket starts full, holds at most burst tokens and gains rate a second;
// a request takes one or is throttled.
type Bucket struct {
	rate, burst, tokens float64
	at                  time.Time
}

// New is a full bucket.
func New(rate float64, burst int) *Bucket {
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// Take takes a token at now, if the bucket holds one.
func (b *Bucket) Take(now time.Time) bool {
	if !b.at.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.at).Seconds()*b.rate)
	}
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
