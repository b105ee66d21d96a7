package domain

import "crypto/sha256"

// ByStaff marks what centre staff did for a resident at the counter
// (issue 20): a participant, booking or application's "by", and a
// booking's cancelled_by.
const ByStaff = "staff"

// crockford is Crockford's base32 alphabet: no I, L, O or U, so a code read
// aloud or copied by hand is not mistaken.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// BookingCode is the short code a resident quotes for a booking: the first
// 40 bits of the SHA-256 of its id in Crockford base32, as "XXXX-XXXX".
// Worked out from the id whenever it is shown, never stored.
func BookingCode(id string) string {
	sum := sha256.Sum256([]byte(id))
	var v uint64
	for _, b := range sum[:5] {
		v = v<<8 | uint64(b)
	}
	var out [9]byte
	for i := 8; i >= 0; i-- {
		if i == 4 {
			out[i] = '-'
			continue
		}
		out[i] = crockford[v&31]
		v >>= 5
	}
	return string(out[:])
}
