package bookings_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/bookings"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// TestRoutes: only residents use these routes, each on their own account
// (another account's participant or booking is not found); bad input and
// broken booking rules are refused with their codes. DELETE /v1/me also
// deletes the Cognito user, so it is left to the end-to-end tests.
func TestRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	ctx := context.Background()
	c := dbtest.Centre("c1", "binhu")
	lambdafntest.Put(t, d, []domain.Centre{c}, dbtest.Offering("o1", c, 10, now),
		dbtest.Offering("one-place", c, 1, now, func(o *domain.Offering) { o.Term = "2025-winter" }),
		dbtest.Offering("draft", c, 10, now, func(o *domain.Offering) { o.Status = domain.OfferingDraft }))
	ps := &residents.Participants{Store: d.Store, Identities: d.Identities, Now: d.Now}
	birth := time.Date(1995, 3, 1, 0, 0, 0, 0, domain.CityZone)
	person := func(account string, seq int) string {
		p, err := ps.Register(ctx, account, domain.NewParticipant{Name: "居民", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320202", birth, seq)})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	p1, p2, idle, theirs := person("acct-1", 1), person("acct-1", 2), person("acct-1", 5), person("acct-2", 3)
	// A booking of acct-2's, for acct-1 to look for.
	other, err := (&residents.Service{Store: d.Store, Now: d.Now}).Book(ctx, residents.Request{Account: "acct-2", OfferingID: "o1", ParticipantID: theirs})
	if err != nil {
		t.Fatal(err)
	}

	h := bookings.New(d)
	me := lambdafntest.Resident("acct-1")
	call := func(name string, as *auth.Caller, method, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: method, Path: path, Body: body, Status: status, Code: code}
	}
	keyed := func(c lambdafntest.Case, key string) lambdafntest.Case {
		c.Header = map[string]string{"Idempotency-Key": key}
		return c
	}
	newParticipant := func(seq int) string {
		return `{"name":"新居民","birth_date":"1995-03-01","id_number":"` + idnumber.Make("320202", birth, seq) + `"}`
	}
	const get, post, del = http.MethodGet, http.MethodPost, http.MethodDelete
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("no caller", nil, get, "/v1/me/participants", "", 401, apperr.Unauthorized),
		call("centre staff", lambdafntest.Staff("s1", "c1"), get, "/v1/me/bookings", "", 403, apperr.Forbidden),
		call("a city officer", lambdafntest.Officer("o1"), post, "/v1/me/participants", newParticipant(4), 403, apperr.Forbidden),

		call("register", me, post, "/v1/me/participants", newParticipant(4), 201, ""),
		call("register, not JSON", me, post, "/v1/me/participants", "[", 400, apperr.InvalidRequest),
		call("register, invalid", me, post, "/v1/me/participants", `{"name":""}`, 422, apperr.ValidationFailed),
		call("participants", me, get, "/v1/me/participants", "", 200, ""),
		call("participants, unknown parameter", me, get, "/v1/me/participants?colour=red", "", 400, apperr.InvalidRequest),

		keyed(call("book", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+p1+`"}`, 201, ""), "k1"),
		keyed(call("the same request again", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+p1+`"}`, 200, ""), "k1"),
		keyed(call("the key for another request", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+p2+`"}`, 422, apperr.IdempotencyKeyReused), "k1"),
		keyed(call("a key too strange", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+p2+`"}`, 400, apperr.InvalidRequest), "k é"),
		call("booked already", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+p1+`"}`, 409, apperr.AlreadyBooked),
		call("book, no participant", me, post, "/v1/offerings/o1/bookings", `{}`, 422, apperr.ValidationFailed),
		call("book another account's participant", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+theirs+`"}`, 404, apperr.NotFound),
		call("book a draft", me, post, "/v1/offerings/draft/bookings", `{"participant_id":"`+p2+`"}`, 404, apperr.NotFound),
		call("book no such offering", me, post, "/v1/offerings/nope/bookings", `{"participant_id":"`+p2+`"}`, 404, apperr.NotFound),
		call("the last place", me, post, "/v1/offerings/one-place/bookings", `{"participant_id":"`+p1+`"}`, 201, ""),
		call("full", me, post, "/v1/offerings/one-place/bookings", `{"participant_id":"`+p2+`"}`, 409, apperr.OfferingFull),
		call("the waitlist", me, post, "/v1/offerings/one-place/bookings", `{"participant_id":"`+p2+`","join_waitlist":true}`, 201, ""),

		call("bookings", me, get, "/v1/me/bookings?status=confirmed", "", 200, ""),
		call("bookings, bad status", me, get, "/v1/me/bookings?status=maybe", "", 400, apperr.InvalidRequest),
		call("another account's booking", me, get, "/v1/me/bookings/"+other.Booking.ID, "", 404, apperr.NotFound),
		call("cancel another account's booking", me, post, "/v1/me/bookings/"+other.Booking.ID+"/cancel", "", 404, apperr.NotFound),

		call("erase a participant with bookings", me, del, "/v1/me/participants/"+p1, "", 409, apperr.HasActiveBookings),
		call("erase another account's participant", me, del, "/v1/me/participants/"+theirs, "", 404, apperr.NotFound),
		call("withdraw consent, no such participant", me, del, "/v1/me/participants/p-nope/consent", "", 404, apperr.NotFound),
		call("withdraw consent, none given (an adult)", me, del, "/v1/me/participants/"+p2+"/consent", "", 404, apperr.NotFound),
		call("erase a participant", me, del, "/v1/me/participants/"+idle, "", 204, ""),
		call("erased", me, del, "/v1/me/participants/"+idle, "", 404, apperr.NotFound),
		call("export", me, get, "/v1/me/export", "", 200, ""),
	})
	// The booking's id is the Location of the first answer: read it back,
	// cancel it, and the participant can go.
	w := lambdafntest.Serve(h, keyed(call("", me, post, "/v1/offerings/o1/bookings", `{"participant_id":"`+p1+`"}`, 0, ""), "k1"))
	mine := w.Header().Get("Location")
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("own booking", me, get, mine, "", 200, ""),
		call("cancel, a body not empty", me, post, mine+"/cancel", `{"why":"busy"}`, 400, apperr.InvalidRequest),
		call("cancel", me, post, mine+"/cancel", "", 200, ""),
	})
}
