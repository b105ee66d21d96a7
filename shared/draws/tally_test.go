package draws_test

import (
	"testing"
	"time"
)

// The scheduled tally counts an open lottery's applications onto its
// offering, counts them again while the window is open, makes one final
// count after the close, and then leaves the offering alone; a drawn
// lottery is never counted.
func TestTallyCountsUndrawnLotteries(t *testing.T) {
	w := newWorld(t, 2)
	tally := func(wantCounted, wantTally int) {
		t.Helper()
		n, err := w.svc.Tally(w.ctx, w.now)
		if err != nil || n != wantCounted {
			t.Fatalf("tally at %s: counted %d offerings (%v), want %d", w.now, n, err, wantCounted)
		}
		o, err := w.st.GetOffering(w.ctx, w.o.ID)
		if err != nil || o.ApplicantsTally != wantTally {
			t.Fatalf("tally at %s: %d applicants (%v), want %d", w.now, o.ApplicantsTally, err, wantTally)
		}
		if wantCounted > 0 && (o.TalliedAt == nil || !o.TalliedAt.Equal(w.now)) {
			t.Fatalf("tallied at %v, want %s", o.TalliedAt, w.now)
		}
	}
	tally(1, 0)
	w.applyMany(3)
	tally(1, 3)
	gone := w.apply(9)
	tally(1, 4)
	w.withdraw(gone)
	w.now = w.o.ApplicationsCloseAt.Add(time.Second)
	tally(1, 3) // the final count, after the close
	w.now = w.now.Add(time.Minute)
	tally(0, 3) // not counted again
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
		t.Fatal(err)
	}
	tally(0, 3)
}
