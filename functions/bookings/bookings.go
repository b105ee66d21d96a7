// Package bookings is the residents' function: their participants, and
// booking, waitlisting, listing and cancelling places.
package bookings

import (
	"context"
	"net/http"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/erasure"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/signin"
)

type api struct {
	participants *residents.Participants
	booking      *residents.Service
	erasure      *erasure.Service
	// signIn deletes the resident's Cognito user on DELETE /v1/me; nil
	// without a user pool (AuthMode oidc: the provider keeps its accounts).
	signIn    *signin.Accounts
	messages  *residents.Messages
	calendars *residents.Calendar
	// apiURL is the API's public address, which feed addresses start with.
	apiURL string
	claims auth.Claims
	// centres says which centres a staff member manages, for the counter.
	centres *centrestaff.Service
}

// New is the function's http.Handler; its routes are those of BookingsFunction in template.yaml.
func New(d lambdafn.Deps) http.Handler {
	a := api{participants: &residents.Participants{Store: d.Store, Identities: d.Identities, Now: d.Now},
		booking: &residents.Service{Store: d.Store, Now: d.Now}, signIn: signin.FromConfig(d.Config)}
	a.erasure = &erasure.Service{Store: d.Store, Booking: a.booking, Now: d.Now}
	a.messages, a.calendars = &residents.Messages{Store: d.Store, Now: d.Now}, &residents.Calendar{Store: d.Store, Now: d.Now}
	a.apiURL, a.claims = d.Config.APIURL, d.Config.Claims
	a.centres = &centrestaff.Service{Store: d.Store, Now: d.Now}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/me/participants", a.me(a.createParticipant))
	mux.Handle("GET /v1/me/participants", a.me(a.listParticipants))
	mux.Handle("POST /v1/offerings/{offering_id}/bookings", a.me(a.book))
	mux.Handle("GET /v1/me/bookings", a.me(a.listBookings))
	mux.Handle("GET /v1/me/bookings/{booking_id}", a.me(mine("booking_id", own(a.booking.Get))))
	mux.Handle("POST /v1/me/bookings/{booking_id}/cancel", a.me(mine("booking_id", a.booking.CancelAs)))
	mux.Handle("POST /v1/me/bookings/{booking_id}/accept", a.me(mine("booking_id", a.booking.AcceptAs)))
	// Applying to lottery offerings (applications.go).
	mux.Handle("POST /v1/offerings/{offering_id}/applications", a.me(a.apply))
	mux.Handle("POST /v1/rounds/{round_id}/applications", a.me(a.apply))
	mux.Handle("GET /v1/me/applications", a.resident(a.listApplications))
	mux.Handle("GET /v1/me/applications/{application_id}", a.me(mine("application_id", own(a.booking.Application))))
	mux.Handle("POST /v1/me/applications/{application_id}/withdraw", a.me(mine("application_id", own(a.booking.Withdraw))))
	// Booking at the counter (issue 20): staff act for a resident's account
	// through the very handlers above, with the counter as the actor.
	mux.Handle("GET /v1/centres/{centre_id}/assisted/{account_id}/participants", a.counter(a.listParticipants))
	mux.Handle("POST /v1/centres/{centre_id}/assisted/{account_id}/participants", a.counter(a.createParticipant))
	mux.Handle("POST /v1/centres/{centre_id}/assisted/{account_id}/offerings/{offering_id}/bookings", a.counter(a.book))
	mux.Handle("POST /v1/centres/{centre_id}/assisted/{account_id}/offerings/{offering_id}/applications", a.counter(a.apply))
	mux.Handle("GET /v1/centres/{centre_id}/assisted/{account_id}/bookings", a.counter(a.listBookings))
	mux.Handle("POST /v1/centres/{centre_id}/assisted/{account_id}/bookings/{booking_id}/cancel", a.counter(mine("booking_id", a.booking.CancelAs)))
	mux.Handle("POST /v1/centres/{centre_id}/assisted/{account_id}/bookings/{booking_id}/accept", a.counter(mine("booking_id", a.booking.AcceptAs)))
	// The resident's rights over their data (rights.go).
	mux.Handle("DELETE /v1/me/participants/{participant_id}", a.resident(a.deleteParticipant))
	mux.Handle("DELETE /v1/me/participants/{participant_id}/consent", a.resident(a.withdrawConsent))
	mux.Handle("GET /v1/me/export", a.resident(a.export))
	mux.Handle("DELETE /v1/me", a.resident(a.deleteAccount))
	// Messages and the calendar (messages.go); the feed is public, its
	// secret address being its key.
	mux.Handle("GET /v1/me/messages", a.resident(a.listMessages))
	mux.Handle("GET /v1/me/message-preferences", a.resident(a.getPreferences))
	mux.Handle("PUT /v1/me/message-preferences", a.resident(a.putPreferences))
	mux.Handle("GET /v1/me/calendar.ics", a.resident(a.calendar))
	mux.Handle("POST /v1/me/calendar-feed", a.resident(a.createFeed))
	mux.Handle("DELETE /v1/me/calendar-feed", a.resident(a.deleteFeed))
	mux.Handle("GET /v1/calendar-feeds/{token}", httpapi.Handle(a.calendarFeed))
	return httpapi.Serve(d.Log, d.Config.Claims, mux)
}

// resident lets only the residents group in (401 without a caller, 403 for other roles).
func (a api) resident(fn func(http.ResponseWriter, *http.Request, auth.Caller) error) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.claims.Require(r, auth.Residents)
		if err != nil {
			return err
		}
		return fn(w, r, c)
	})
}

// me lets a resident act on their own account.
func (a api) me(fn func(http.ResponseWriter, *http.Request, residents.Actor) error) http.Handler {
	return a.resident(func(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
		return fn(w, r, residents.Actor{Account: c.Sub})
	})
}

// counter lets staff act for an account at a centre's counter: centre
// staff and officers (others 403), of a centre they manage (another is 404,
// as on every centre route: centrestaff.Service.Centre), whose link to the
// account holds (else 409 assist_required).
func (a api) counter(fn func(http.ResponseWriter, *http.Request, residents.Actor) error) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.claims.Require(r, auth.CentreStaff, auth.CityOfficers, auth.DistrictOfficers)
		if err != nil {
			return err
		}
		centreID, err := httpapi.PathID(r, "centre_id")
		if err != nil {
			return err
		}
		account, err := httpapi.PathID(r, "account_id")
		if err != nil {
			return err
		}
		if _, err := a.centres.Centre(r.Context(), c, centreID); err != nil {
			return err
		}
		who, err := a.booking.Counter(r.Context(), centreID, account, c.Sub)
		if err != nil {
			return err
		}
		return fn(w, r, who)
	})
}

func (a api) createParticipant(w http.ResponseWriter, r *http.Request, who residents.Actor) error {
	var in domain.NewParticipant
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.participants.RegisterAs(r.Context(), who, in)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (a api) listParticipants(w http.ResponseWriter, r *http.Request, who residents.Actor) error {
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	items, next, err := a.participants.List(r.Context(), who.Account, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// maxIdempotencyKey bounds the key, which becomes part of a DynamoDB sort key.
const maxIdempotencyKey = 200

func (a api) book(w http.ResponseWriter, r *http.Request, who residents.Actor) error {
	offeringID, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	var body struct {
		ParticipantID *string `json:"participant_id"`
		JoinWaitlist  bool    `json:"join_waitlist"`
	}
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		return err
	}
	key, err := participantAndKey(r, body.ParticipantID)
	if err != nil {
		return err
	}
	res, err := a.booking.Book(r.Context(), residents.Request{
		Account: who.Account, OfferingID: offeringID, ParticipantID: *body.ParticipantID,
		JoinWaitlist: body.JoinWaitlist, IdempotencyKey: key, Assist: who.Assist,
	})
	if err != nil {
		return err
	}
	writeMade(w, res.Replayed, "/v1/me/bookings/"+res.Booking.ID, res.Booking)
	return nil
}

// writeMade answers a request that made v at location: 201, or 200 with
// Idempotent-Replayed when it answers a retry under the same key.
func writeMade(w http.ResponseWriter, replayed bool, location string, v any) {
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	w.Header().Set("Location", location)
	httpapi.WriteJSON(w, status, v)
}

// participantAndKey checks what booking and applying both take: a
// participant id in the body and an optional Idempotency-Key, which it
// returns.
func participantAndKey(r *http.Request, participantID *string) (string, error) {
	if participantID == nil || *participantID == "" {
		var v apperr.Validation
		v.Add("participant_id", "请选择参与人", "participant_id is required")
		return "", v.Err()
	}
	if !httpapi.ValidID(*participantID) {
		return "", apperr.New(apperr.NotFound, "找不到该参与人", "No such participant").With("participant_id", "不存在", "not found")
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return "", apperr.New(apperr.InvalidRequest, "Idempotency-Key 须为不超过 200 个可见 ASCII 字符", "Idempotency-Key must be at most 200 visible ASCII characters").
			With("Idempotency-Key", "格式无效", "not valid")
	}
	return key, nil
}

func (a api) listBookings(w http.ResponseWriter, r *http.Request, who residents.Actor) error {
	page, err := httpapi.ListQuery(r, "status")
	if err != nil {
		return err
	}
	status := domain.BookingStatus(r.URL.Query().Get("status"))
	if status != "" && !status.Valid() {
		return apperr.New(apperr.InvalidRequest, "status 应为 confirmed、waitlisted、offered、cancelled 或 expired", "status must be confirmed, waitlisted, offered, cancelled or expired").
			With("status", "取值无效", "not a booking status")
	}
	items, next, err := a.booking.ListAs(r.Context(), who, status, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// mine serves a read or an action on one of the actor's account's
// resources, named by the path's param: fn's answer, 200. A POST's body is
// optional; one that is sent must be an empty JSON object.
func mine[T any](param string, fn func(ctx context.Context, who residents.Actor, id string) (T, error)) func(http.ResponseWriter, *http.Request, residents.Actor) error {
	return func(w http.ResponseWriter, r *http.Request, who residents.Actor) error {
		id, err := httpapi.PathID(r, param)
		if err != nil {
			return err
		}
		if r.Method == http.MethodPost {
			var none struct{}
			if err := httpapi.DecodeOptionalJSON(r, &none); err != nil {
				return err
			}
		}
		v, err := fn(r.Context(), who, id)
		if err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, v)
		return nil
	}
}

// own is fn, which only a resident reaches, on the actor's account.
func own[T any](fn func(ctx context.Context, account, id string) (T, error)) func(context.Context, residents.Actor, string) (T, error) {
	return func(ctx context.Context, who residents.Actor, id string) (T, error) { return fn(ctx, who.Account, id) }
}
