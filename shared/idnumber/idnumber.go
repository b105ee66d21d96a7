// Package idnumber checks the 18-character mainland resident ID number
// (居民身份证号, GB 11643-1999).
//
// The full number is never stored: callers keep its identity (an HMAC computed
// in KMS, shared/keycustody, so the same person registered by two accounts
// gets the same identity) and, sealed, Last4 for display. No error or string
// produced here contains the number itself.
package idnumber

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Length is the number of characters in a resident ID number.
const Length = 18

// The errors Validate returns; compare with errors.Is. None of them carries
// the number.
var (
	// ErrFormat: not 18 characters, not 17 digits plus a digit or X, or the
	// embedded birth date (positions 7–14) is not a real calendar date.
	ErrFormat = errors.New("idnumber: malformed ID number")
	// ErrCheckDigit: the 18th character does not match ISO 7064 MOD 11-2.
	ErrCheckDigit = errors.New("idnumber: check character does not match")
	// ErrRegion: the first six digits are no GB/T 2260 division code (see
	// KnownRegion), as in an invented number.
	ErrRegion = errors.New("idnumber: unknown region code")
	// ErrBirthDate: the embedded birth date differs from the one given.
	ErrBirthDate = errors.New("idnumber: embedded birth date does not match")
)

// weights of the first 17 digits (2^(18-i) mod 11).
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps the weighted sum mod 11 to the check character.
const checkChars = "10X98765432"

// Normalize trims surrounding white space and upper-cases a check character x.
func Normalize(id string) string {
	return strings.ReplaceAll(strings.TrimSpace(id), "x", "X")
}

// CheckChar computes the check character of the first 17 digits. It returns
// ErrFormat unless first17 is exactly 17 ASCII digits.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != Length-1 {
		return 0, ErrFormat
	}
	sum := 0
	for i := range Length - 1 {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, ErrFormat
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11], nil
}

// BirthDate returns the birth date embedded in a well-formed number (midnight
// UTC), or ErrFormat. It does not check the check character.
func BirthDate(id string) (time.Time, error) {
	id = Normalize(id)
	if err := checkShape(id); err != nil {
		return time.Time{}, err
	}
	return embeddedDate(id)
}

// Validate reports whether id is a valid resident ID number whose embedded
// birth date is birthDate. Spaces around id and a lower-case x are accepted.
// birthDate is compared by calendar date in its own location (so a date parsed
// with time.Parse("2006-01-02", …) or one at midnight Asia/Shanghai both work).
//
// Errors, in the order checked: ErrFormat, ErrCheckDigit, ErrRegion,
// ErrBirthDate.
func Validate(id string, birthDate time.Time) error {
	id = Normalize(id)
	if err := checkShape(id); err != nil {
		return err
	}
	born, err := embeddedDate(id)
	if err != nil {
		return err
	}
	want, err := CheckChar(id[:Length-1])
	if err != nil {
		return err
	}
	if id[Length-1] != want {
		return ErrCheckDigit
	}
	if !KnownRegion(id[:6]) {
		return ErrRegion
	}
	y, m, d := birthDate.Date()
	if born.Year() != y || born.Month() != m || born.Day() != d {
		return ErrBirthDate
	}
	return nil
}

// checkShape: 18 bytes, 17 ASCII digits, then a digit or X (id normalised).
func checkShape(id string) error {
	if len(id) != Length {
		return ErrFormat
	}
	for i := range Length - 1 {
		if id[i] < '0' || id[i] > '9' {
			return ErrFormat
		}
	}
	if last := id[Length-1]; (last < '0' || last > '9') && last != 'X' {
		return ErrFormat
	}
	return nil
}

// embeddedDate parses positions 7–14 (YYYYMMDD) and insists on a real date.
func embeddedDate(id string) (time.Time, error) {
	t, err := time.Parse("20060102", id[6:14])
	if err != nil {
		// time.Parse rejects 0230, 1301, 0431 and the like.
		return time.Time{}, ErrFormat
	}
	return t, nil
}

// Last4 is the last four characters of the normalised number, for display
// (e.g. "002X"). A shorter input is returned whole.
func Last4(id string) string {
	id = Normalize(id)
	if len(id) <= 4 {
		return id
	}
	return id[len(id)-4:]
}

// Make builds a valid number for seed data and tests: a 6-digit region code
// (e.g. "320213", 梁溪区, Wuxi), the birth date (its calendar date in its own
// location, years 1000–9999) and a 3-digit sequence number 0–999 (odd for men,
// even for women), then the computed check character. It panics on arguments
// outside those ranges, as it is meant only for fixed, known inputs.
func Make(regionCode string, birth time.Time, seq int) string {
	if len(regionCode) != 6 || strings.Trim(regionCode, "0123456789") != "" {
		panic("idnumber.Make: region code must be 6 digits")
	}
	if seq < 0 || seq > 999 {
		panic("idnumber.Make: sequence must be 0..999")
	}
	y, m, d := birth.Date()
	if y < 1000 || y > 9999 {
		panic("idnumber.Make: birth year must have 4 digits")
	}
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", regionCode, y, int(m), d, seq)
	c, err := CheckChar(first17)
	if err != nil {
		panic("idnumber.Make: " + err.Error())
	}
	return first17 + string(c)
}
