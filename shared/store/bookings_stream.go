package store

import (
	"strings"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// A booking's own notice (booking_confirmed or booking_waitlisted, the
// city's bus's) is not written in the booking's transaction: the table's
// stream carries the new booking item to the dispatcher (template.yaml,
// DispatcherFunction's BookingStream), which puts the notice into the
// outbox (PutNotice) for the drain to send. Its id is made from the
// booking's, so a record delivered twice puts nothing new while the first
// waits in the outbox.

// BookingIDPrefix starts the id of a booking a resident made (CreateBooking;
// a draw's bookings are "bkg_"): the stream's filter picks those bookings'
// items, and only those announce themselves.
const BookingIDPrefix = "bk_"

// BookingNoticeID is the id of the notice a new booking announces itself by.
func BookingNoticeID(bookingID string) string { return "ntc_booked_" + bookingID }

// BookingNotice is the notice a newly written booking item announces, from
// its string attributes (a stream record's new image); ok is false for an
// item that announces nothing so (not a resident's confirmed or waitlisted
// booking).
func BookingNotice(image map[string]string) (n notices.Notice, ok bool) {
	var event notices.Event
	switch domain.BookingStatus(image["status"]) {
	case domain.BookingConfirmed:
		event = notices.BookingConfirmed
	case domain.BookingWaitlisted:
		event = notices.BookingWaitlisted
	default:
		return notices.Notice{}, false
	}
	id := image["id"]
	if image["type"] != "booking" || !strings.HasPrefix(id, BookingIDPrefix) || image["round_id"] != "" {
		return notices.Notice{}, false
	}
	// The booking as far as About reads it, back from its item: the notice
	// carries what the transaction's notice carried, by the same code.
	b := domain.Booking{ID: id, OfferingID: image["offering_id"], Account: image["account"], Term: image["term"],
		Offering: domain.BookedOffering{Title: image["offering_title"], Kind: domain.Kind(image["kind"]), StartsOn: image["starts_on"],
			Centre: domain.CentreRef{ID: image["centre_id"]}}}
	return notices.Notice{ID: BookingNoticeID(id), Event: event, At: parseTime(image["created_at"])}.About(b), true
}
