// Package reminders tells residents, the day before an offering first
// meets, that it starts tomorrow: the daily reminder job's service. Every
// confirmed booking of such an offering gets one notices.Reminder, written
// to the outbox with a mark on the booking (store.PutReminder), so a run
// repeated on the same day, or retried after a failure, tells nobody twice.
package reminders

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Service sends the day's reminders.
type Service struct {
	Store *store.Store
}

// Sent is what one run did.
type Sent struct {
	// Day is the first session reminded of: the day after the run's, in Wuxi.
	Day string
	// Read is how many offerings the city index gave; Offerings of them
	// first meet on Day.
	Read, Offerings int
	// Reminded bookings were told now; Already had been (an earlier run), or
	// ended meanwhile.
	Reminded, Already int
}

// maxWrites bounds the reminders written at once.
const maxWrites = 8

// Remind writes the reminders for the offerings whose first session
// (notices.FirstSession) is the day after at's, in Wuxi. They are found in
// the city index (GSI3), which keeps offerings by their last day: one that
// first meets tomorrow ends tomorrow or later, so a Query per kind from
// tomorrow reads only offerings still to end, never a past term's, however
// long the table's history grows. A cancelled or draft offering reminds
// nobody; of a running one, only its confirmed bookings are reminded.
func (s *Service) Remind(ctx context.Context, at time.Time) (Sent, error) {
	day := at.In(domain.CityZone).AddDate(0, 0, 1).Format(domain.DateLayout)
	res := Sent{Day: day}
	offerings, err := s.Store.CityOfferings(ctx, day)
	if err != nil {
		return res, err
	}
	res.Read = len(offerings)
	var todo []notices.Notice
	for _, o := range offerings {
		if notices.FirstSession(o) != day || (o.Status != domain.OfferingPublished && o.Status != domain.OfferingClosed) {
			continue
		}
		res.Offerings++
		held, err := s.Store.ConfirmedBookings(ctx, o.ID)
		if err != nil {
			return res, err
		}
		for _, h := range held {
			n := notices.New(notices.Reminder, at).OfOffering(o)
			// The id is the booking's and the day's: the outbox refuses a
			// second while the first still waits there.
			n.ID, n.Account, n.BookingID = "ntc_reminder_"+h.BookingID+"_"+day, h.Account, h.BookingID
			todo = append(todo, n)
		}
	}
	var mu sync.Mutex
	var firstErr error
	slots := make(chan struct{}, maxWrites)
	var wg sync.WaitGroup
	for _, n := range todo {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			written, err := s.Store.PutReminder(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				firstErr = cmp.Or(firstErr, err)
			case written:
				res.Reminded++
			default:
				res.Already++
			}
		})
	}
	wg.Wait()
	return res, firstErr
}
