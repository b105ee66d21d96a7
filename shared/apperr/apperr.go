// Package apperr is enrol's one error type: a stable machine-readable code, the
// HTTP status it maps to (one table, below), and a message in Chinese and English.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is stable and machine-readable; clients switch on it.
type Code string

// The codes of the API contract.
const (
	InvalidRequest         Code = "invalid_request"
	Unauthorized           Code = "unauthorized"
	Forbidden              Code = "forbidden"
	NotFound               Code = "not_found"
	AlreadyBooked          Code = "already_booked"
	TermLimitReached       Code = "term_limit_reached"
	BookingClosed          Code = "booking_closed"
	OfferingFull           Code = "offering_full"
	NoShowBlocked          Code = "no_show_blocked"
	CapacityBelowConfirmed Code = "capacity_below_confirmed"
	Conflict               Code = "conflict"
	PayloadTooLarge        Code = "payload_too_large"
	ValidationFailed       Code = "validation_failed"
	NotEligible            Code = "not_eligible"
	InvalidIDNumber        Code = "invalid_id_number"
	IdempotencyKeyReused   Code = "idempotency_key_reused"
	TooManyRequests        Code = "too_many_requests"
	ParticipantLimit       Code = "participant_limit"
	ConsentRequired        Code = "consent_required"
	HasActiveBookings      Code = "has_active_bookings"
	// Issue 13: lotteries and offers.
	AlreadyApplied     Code = "already_applied"
	ApplicationsClosed Code = "applications_closed"
	OfferExpired       Code = "offer_expired"
	DrawNotReady       Code = "draw_not_ready"
	// Issue 19: staff accounts where the city's identity platform keeps
	// the accounts (AuthMode oidc): enrol cannot make or change them.
	AccountsExternal Code = "accounts_external"
	// Issue 19: a draft centre's offerings cannot be published.
	CentreNotActive Code = "centre_not_active"
	// Issue 20: staff act for an account at the counter only while their
	// centre's link to it (left by finding it by phone) holds.
	AssistRequired Code = "assist_required"
	Internal       Code = "internal"
	Unavailable    Code = "unavailable"
)

// statusOf is the single table from code to HTTP status.
var statusOf = map[Code]int{
	InvalidRequest:         http.StatusBadRequest,
	Unauthorized:           http.StatusUnauthorized,
	Forbidden:              http.StatusForbidden,
	NotFound:               http.StatusNotFound,
	AlreadyBooked:          http.StatusConflict,
	TermLimitReached:       http.StatusConflict,
	BookingClosed:          http.StatusConflict,
	OfferingFull:           http.StatusConflict,
	NoShowBlocked:          http.StatusConflict,
	CapacityBelowConfirmed: http.StatusConflict,
	Conflict:               http.StatusConflict,
	PayloadTooLarge:        http.StatusRequestEntityTooLarge,
	ValidationFailed:       http.StatusUnprocessableEntity,
	NotEligible:            http.StatusUnprocessableEntity,
	InvalidIDNumber:        http.StatusUnprocessableEntity,
	IdempotencyKeyReused:   http.StatusUnprocessableEntity,
	TooManyRequests:        http.StatusTooManyRequests,
	ParticipantLimit:       http.StatusConflict,
	ConsentRequired:        http.StatusUnprocessableEntity,
	HasActiveBookings:      http.StatusConflict,
	AlreadyApplied:         http.StatusConflict,
	ApplicationsClosed:     http.StatusConflict,
	OfferExpired:           http.StatusConflict,
	DrawNotReady:           http.StatusConflict,
	AccountsExternal:       http.StatusConflict,
	CentreNotActive:        http.StatusConflict,
	AssistRequired:         http.StatusConflict,
	Internal:               http.StatusInternalServerError,
	Unavailable:            http.StatusServiceUnavailable,
}

// Codes lists every code, for documents and tests that must cover them all.
func Codes() []Code {
	out := make([]Code, 0, len(statusOf))
	for c := range statusOf {
		out = append(out, c)
	}
	return out
}

// Status is the HTTP status of a code; an unknown code is a 500.
func (c Code) Status() int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Text is a message in both languages.
type Text struct{ ZH, EN string }

// FieldError names one bad field of a request.
type FieldError struct {
	Field string
	Text  Text
}

// Error is the one error type the handlers answer with.
type Error struct {
	Code   Code
	Text   Text
	Fields []FieldError
	// RetryAfter, in seconds, is sent as a header on 429 and 503.
	RetryAfter int
	// Extra members of the problem body, e.g. the date a no-show block ends.
	Extra map[string]any
	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Text.EN, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Text.EN)
}

func (e *Error) Unwrap() error { return e.cause }

// New makes an error with its bilingual message.
func New(code Code, zh, en string) *Error {
	return &Error{Code: code, Text: Text{ZH: zh, EN: en}}
}

// Wrap keeps cause for the logs; it never reaches the client.
func Wrap(code Code, cause error, zh, en string) *Error {
	return &Error{Code: code, Text: Text{ZH: zh, EN: en}, cause: cause}
}

// With adds a field error (used with ValidationFailed).
func (e *Error) With(field, zh, en string) *Error {
	e.Fields = append(e.Fields, FieldError{Field: field, Text: Text{ZH: zh, EN: en}})
	return e
}

// As finds the *Error in err's chain; anything else becomes internal, so a
// stray error never leaks its text to a client.
func As(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return Unexpected(err)
}

// Unexpected is a 500 that reveals nothing; cause goes to the log.
func Unexpected(cause error) *Error {
	return Wrap(Internal, cause, "服务器内部错误，请稍后再试", "Something went wrong on our side; please try again later")
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Code == code
}

// Validation collects field errors and yields one validation_failed error, or nil.
type Validation struct{ fields []FieldError }

// Add records a bad field.
func (v *Validation) Add(field, zh, en string) {
	v.fields = append(v.fields, FieldError{Field: field, Text: Text{ZH: zh, EN: en}})
}

// Err is nil when nothing was added.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	e := New(ValidationFailed, "请求内容有误，请检查标出的字段", "Some fields are not valid; see errors")
	e.Fields = v.fields
	return e
}
