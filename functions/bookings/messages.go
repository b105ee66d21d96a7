package bookings

import (
	"errors"
	"net/http"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/download"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// The resident's messages, their channels, and their calendar (issue 12).

// listMessages is GET /v1/me/messages: newest first, paged.
func (a api) listMessages(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	page, err := httpapi.ListQuery(r)
	if err != nil {
		return err
	}
	items, next, err := a.messages.List(r.Context(), c.Sub, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

type preferences struct {
	Channels []string `json:"channels"`
}

// getPreferences is GET /v1/me/message-preferences.
func (a api) getPreferences(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	if err := httpapi.Query(r); err != nil {
		return err
	}
	chs, err := a.messages.Preferences(r.Context(), c.Sub)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, preferences{Channels: chs})
	return nil
}

// putPreferences is PUT /v1/me/message-preferences {channels}: 200 with
// what is now held, or 422 naming the channel that is not allowed.
func (a api) putPreferences(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	var in preferences
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	chs, err := a.messages.SetPreferences(r.Context(), c.Sub, in.Channels)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, preferences{Channels: chs})
	return nil
}

// calendar is GET /v1/me/calendar.ics[?booking_id=]: the account's
// sessions as an iCalendar download.
func (a api) calendar(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	if err := httpapi.Query(r, "booking_id"); err != nil {
		return err
	}
	id, name := r.URL.Query().Get("booking_id"), "enrol-calendar.ics"
	if _, given := r.URL.Query()["booking_id"]; given {
		if !httpapi.ValidID(id) {
			return domain.NotFound("booking")
		}
		name = "enrol-" + id + ".ics"
	}
	text, err := a.calendars.Of(r.Context(), c.Sub, id)
	if err != nil {
		return err
	}
	writeCalendar(w, text, name)
	return nil
}

// calendarFeed is the public GET /v1/calendar-feeds/{token}: the calendar
// of the account whose feed the token is; 404 for any other token.
// Calendar apps may add query parameters of their own: they are ignored.
func (a api) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	text, err := a.calendars.Feed(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	writeCalendar(w, text, "enrol-calendar.ics")
	return nil
}

func writeCalendar(w http.ResponseWriter, text, name string) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", download.Disposition(name, name))
	// A calendar names a person's places; no shared cache keeps it.
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(text))
}

// createFeed is POST /v1/me/calendar-feed: 201 {url}, a new secret address
// that replaces the account's earlier one.
func (a api) createFeed(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	var none struct{}
	if err := httpapi.DecodeOptionalJSON(r, &none); err != nil {
		return err
	}
	base, err := a.publicBase(r)
	if err != nil {
		return err
	}
	secret, err := a.calendars.CreateFeed(r.Context(), c.Sub)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, http.StatusCreated, struct {
		URL string `json:"url"`
	}{base + residents.FeedPath + secret})
	return nil
}

// deleteFeed is DELETE /v1/me/calendar-feed: 204, with or without a feed.
func (a api) deleteFeed(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	if err := a.calendars.RevokeFeed(r.Context(), c.Sub); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// publicBase is the address a feed URL starts with: API_URL (the
// deployment's public address, and the local stack's), or else the
// address API Gateway was called at, from the request context it sets
// (never from the client's Host header).
func (a api) publicBase(r *http.Request) (string, error) {
	if a.apiURL != "" {
		return a.apiURL, nil
	}
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.DomainName != "" {
		base := "https://" + rc.DomainName
		if rc.Stage != "" && rc.Stage != "$default" {
			base += "/" + strings.Trim(rc.Stage, "/")
		}
		return base, nil
	}
	return "", apperr.Unexpected(errors.New("bookings: no API_URL and no API Gateway domain to make a feed address from"))
}
