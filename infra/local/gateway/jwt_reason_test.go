package gateway

import (
	"net/http/httptest"
	"testing"
	"time"
)

// A refused token says why: an expired one says so, even when its key is
// unknown, rather than "signature invalid".
func TestAuthorizerReasons(t *testing.T) {
	iss, stranger := issuers(t)
	tests := []struct {
		name, token string
		want        *authFailure
	}{
		{"expired", mustMint(t, iss, "u1", []string{"residents"}, nil, -time.Hour), errExpired},
		// A token from an earlier run of the stack, whose key is gone.
		{"expired, key unknown", mustMint(t, stranger, "u1", []string{"residents"}, nil, -time.Hour), errExpired},
		{"another key", mustMint(t, stranger, "u1", nil, nil, time.Hour), errSignature},
		{"garbage", "not-a-jwt", errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range []struct{ accept, want string }{{"", tt.want.msg.zh}, {"en", tt.want.msg.en}} {
				r := httptest.NewRequest("GET", "/v1/me/bookings", nil)
				r.Header.Set("Authorization", "Bearer "+tt.token)
				r.Header.Set("Accept-Language", l.accept)
				if p := checkProblem(t, serve(newTestGateway(t, &fakeFn{}), r), 401, "unauthorized"); p.Detail != l.want {
					t.Errorf("Accept-Language %q: detail %q, want %q", l.accept, p.Detail, l.want)
				}
			}
		})
	}
}
