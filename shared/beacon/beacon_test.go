package beacon

import (
	"testing"
	"time"
)

func TestRoundAfterIsTheFirstRoundPublishedLater(t *testing.T) {
	s := Quicknet
	for _, tc := range []struct {
		at   time.Time
		want uint64
	}{
		{s.Genesis.Add(-time.Hour), 1},
		{s.Genesis, 2},
		{s.Genesis.Add(time.Second), 2},
		{s.Genesis.Add(3 * time.Second), 3},
		{s.Genesis.Add(3*time.Second - time.Nanosecond), 2},
	} {
		r := s.RoundAfter(tc.at)
		if r != tc.want {
			t.Errorf("RoundAfter(%v) = %d, want %d", tc.at, r, tc.want)
		}
		if !s.PublishedAt(r).After(tc.at) || r > 1 && s.PublishedAt(r-1).After(tc.at) {
			t.Errorf("round %d (at %v) is not the first published after %v", r, s.PublishedAt(r), tc.at)
		}
	}
}

func TestLocalGivesNoRoundBeforeItsTime(t *testing.T) {
	now := Quicknet.PublishedAt(100).Add(-time.Millisecond)
	l := Local{Schedule: Quicknet, Key: []byte("k"), Now: func() time.Time { return now }}
	if _, err := l.Randomness(t.Context(), 100); err != ErrNotYet {
		t.Fatalf("round 100 a millisecond early: %v, want ErrNotYet", err)
	}
	now = now.Add(time.Millisecond)
	a, err := l.Randomness(t.Context(), 100)
	if err != nil || len(a) != 64 {
		t.Fatalf("round 100 on time: %q, %v", a, err)
	}
	b, _ := l.Randomness(t.Context(), 99)
	again, _ := l.Randomness(t.Context(), 100)
	if a == b || a != again {
		t.Fatalf("rounds 100 %s, 99 %s, 100 again %s: want distinct rounds and the same round alike", a, b, again)
	}
}
