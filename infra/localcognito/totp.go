package localcognito

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// TOTP as authenticator apps and Cognito compute it (RFC 6238 over RFC
// 4226's HOTP): HMAC-SHA-1, 30-second steps from the Unix epoch.
const totpStep = 30

// secretEncoding is how Cognito's SecretCode writes the key: base32,
// unpadded, as the otpauth:// URI's secret parameter takes it.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret is a fresh 20-byte key (RFC 4226's recommended length) in base32.
func newSecret() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return secretEncoding.EncodeToString(b[:])
}

// HOTP is RFC 4226's value of key at counter, the digits low ones.
func HOTP(key []byte, counter uint64, digits int) string {
	m := hmac.New(sha1.New, key)
	_ = binary.Write(m, binary.BigEndian, counter)
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// Code is the 6-digit TOTP code of the base32 secret at t, as an
// authenticator app shows it; tests compute what the user would type.
func Code(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return HOTP(key, uint64(t.Unix()/totpStep), 6), nil
}

func decodeSecret(secret string) ([]byte, error) {
	return secretEncoding.DecodeString(strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "=")))
}

// codeMatches accepts the code of the step at t or either neighbour, for
// a phone's clock a little off and the seconds spent typing.
func codeMatches(secret, code string, t time.Time) bool {
	key, err := decodeSecret(secret)
	if err != nil || len(code) != 6 {
		return false
	}
	step := t.Unix() / totpStep
	ok := 0
	for d := int64(-1); d <= 1; d++ {
		ok |= subtle.ConstantTimeCompare([]byte(HOTP(key, uint64(step+d), 6)), []byte(code))
	}
	return ok == 1
}
