package localcognito

import (
	"testing"
	"time"
)

// TestHOTPMatchesRFC6238: RFC 6238's Appendix B vectors for SHA-1 (key
// "12345678901234567890", 8 digits), and their 6-digit tails as the apps show.
func TestHOTPMatchesRFC6238(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix  int64
		eight string
	}{{59, "94287082"}, {1111111109, "07081804"}, {1234567890, "89005924"}, {20000000000, "65353130"}} {
		counter := uint64(tc.unix / totpStep)
		if got := HOTP(key, counter, 8); got != tc.eight {
			t.Errorf("T=%d: %s, want %s", tc.unix, got, tc.eight)
		}
		want := tc.eight[2:]
		if got, err := Code(secretEncoding.EncodeToString(key), time.Unix(tc.unix, 0)); err != nil || got != want {
			t.Errorf("T=%d: Code %q (%v), want %s", tc.unix, got, err, want)
		}
	}
}

// TestCodeMatchesOneStepEitherWay: the code of the step before or after
// passes (a phone's clock a little off), two steps away or a wrong
// length does not.
func TestCodeMatchesOneStepEitherWay(t *testing.T) {
	secret := newSecret()
	at := time.Date(2026, 12, 2, 9, 0, 15, 0, time.UTC)
	for _, tc := range []struct {
		offset time.Duration
		want   bool
	}{{0, true}, {-30 * time.Second, true}, {30 * time.Second, true}, {-60 * time.Second, false}, {60 * time.Second, false}} {
		code, err := Code(secret, at.Add(tc.offset))
		if err != nil {
			t.Fatal(err)
		}
		if got := codeMatches(secret, code, at); got != tc.want {
			t.Errorf("a code from %v away: matches %v, want %v", tc.offset, got, tc.want)
		}
	}
	if codeMatches(secret, "12345", at) || codeMatches("not base32!", "123456", at) {
		t.Error("a 5-digit code or a broken secret matched")
	}
}
