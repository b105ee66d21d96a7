package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestStatusTable(t *testing.T) {
	cases := map[Code]int{
		InvalidRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404,
		AlreadyBooked: 409, TermLimitReached: 409, BookingClosed: 409, OfferingFull: 409,
		NoShowBlocked: 409, CapacityBelowConfirmed: 409, Conflict: 409, PayloadTooLarge: 413,
		ValidationFailed: 422, NotEligible: 422, InvalidIDNumber: 422, IdempotencyKeyReused: 422,
		TooManyRequests: 429, ParticipantLimit: 409, ConsentRequired: 422, HasActiveBookings: 409, AlreadyApplied: 409, ApplicationsClosed: 409, OfferExpired: 409, DrawNotReady: 409, AccountsExternal: 409, CentreNotActive: 409, AssistRequired: 409, Internal: 500, Unavailable: 503, Code("nonsense"): 500,
	}
	for code, want := range cases {
		if got := code.Status(); got != want {
			t.Errorf("%s: status %d, want %d", code, got, want)
		}
	}
	if len(Codes()) != len(cases)-1 {
		t.Errorf("Codes() has %d codes, the contract has %d", len(Codes()), len(cases)-1)
	}
}

func TestAsHidesForeignErrors(t *testing.T) {
	leaky := errors.New("ValidationException: table enrol-prod attribute PK")
	e := As(leaky)
	if e.Code != Internal || e.Code.Status() != http.StatusInternalServerError {
		t.Fatalf("got %v", e.Code)
	}
	if e.Text.EN == leaky.Error() || e.Text.ZH == leaky.Error() {
		t.Fatal("the cause leaked into the message")
	}
	wrapped := fmt.Errorf("outer: %w", New(OfferingFull, "满", "full"))
	if got := As(wrapped); got.Code != OfferingFull {
		t.Fatalf("wrapped: %v", got.Code)
	}
	if !Is(wrapped, OfferingFull) || Is(leaky, OfferingFull) {
		t.Fatal("Is")
	}
}

func TestValidation(t *testing.T) {
	var v Validation
	if v.Err() != nil {
		t.Fatal("empty validation is an error")
	}
	v.Add("name", "必填", "required")
	e := As(v.Err())
	if e.Code != ValidationFailed || len(e.Fields) != 1 || e.Fields[0].Field != "name" {
		t.Fatalf("%+v", e)
	}
}
