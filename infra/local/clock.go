package local

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"
)

// clockPattern moves the stack's clock on (local only, like
// /_local/schedule): browser tests reach a lottery's close or an offer's
// deadline this way instead of waiting for it, then move it back (never
// before the clock the stack started with), since the browser's own clock
// and the stack's must agree for the tests after them (a token issued
// "later" than the page's time, a session's end).
const clockPattern = "POST /_local/clock"

// maxAdvance bounds one move either way: a year.
const maxAdvance = 366 * 24 * time.Hour

// movedClock is the stack's clock: the clock it was started with, plus how
// far POST /_local/clock has moved it. Every function, job, token and the
// beacon read it, so they all see a move at once.
type movedClock struct {
	base func() time.Time
	by   atomic.Int64
}

func (c *movedClock) now() time.Time { return c.base().Add(time.Duration(c.by.Load())) }

// serveClock is POST /_local/clock {"advance_seconds": n}, n ≠ 0 and at
// most a year either way, and never back past the unmoved clock; it answers
// the stack's time after the move.
func (s *Stack) serveClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AdvanceSeconds int64 `json:"advance_seconds"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	d := time.Duration(in.AdvanceSeconds) * time.Second
	if err != nil || in.AdvanceSeconds == 0 || d > maxAdvance || d < -maxAdvance {
		http.Error(w, `body must be {"advance_seconds": n}, n != 0, |n| <= 31622400`, http.StatusBadRequest)
		return
	}
	for {
		by := s.clock.by.Load()
		if by+int64(d) < 0 {
			http.Error(w, "the clock cannot go back before the one the stack started with", http.StatusConflict)
			return
		}
		if s.clock.by.CompareAndSwap(by, by+int64(d)) {
			break
		}
	}
	// Kept before it is answered, so a restart finds the clock moved.
	if s.data != nil {
		if err := s.data.saveClock(s.clock, s.nowAt); err != nil {
			s.log.Error("saving the clock", "error", err)
			http.Error(w, "the clock moved but could not be saved in the data folder", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]time.Time{"now": s.Now()})
}
