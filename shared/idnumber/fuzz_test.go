package idnumber

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// FuzzValidate: Validate never panics, answers only its own errors, and an
// accepted number is well formed by every rule, checked independently here:
// 18 characters, the check character computed from first principles
// (refCheck), a known region, the birth date given, and Make builds the
// same number back from its parts. A birth that is no date stands for the
// embedded one, so that the fuzzer reaches valid numbers too.
func FuzzValidate(f *testing.F) {
	for _, seed := range []struct{ id, birth string }{
		{"11010519491231002X", "1949-12-31"},
		{" 11010519491231002x ", ""},
		{"11010519491231002X", "1949-12-30"},
		{"320213201502290011", ""}, // no 29 February in 2015
		{"32021320160101001X", ""},
		{"110000201601010011", ""}, // a province code
		{"999999201601010011", ""},
		{"32021320160101001", ""},
		{"３２０２１３２０１６０１０１００１１", ""}, // full-width digits
		{"\x00\xff", ""},
		{"", ""},
	} {
		f.Add(seed.id, seed.birth)
	}
	f.Fuzz(func(t *testing.T, id, birth string) {
		born, err := time.Parse(time.DateOnly, birth)
		if err != nil {
			born, _ = BirthDate(id)
		}
		err = Validate(id, born)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrCheckDigit) && !errors.Is(err, ErrRegion) && !errors.Is(err, ErrBirthDate) {
				t.Fatalf("Validate answered an error not its own: %v", err)
			}
			return
		}
		n := Normalize(id)
		if len(n) != Length {
			t.Fatalf("accepted a number of %d bytes", len(n))
		}
		for i := range Length - 1 {
			if n[i] < '0' || n[i] > '9' {
				t.Fatalf("accepted %q at position %d", n[i], i+1)
			}
		}
		if want := refCheck(t, n[:17]); string(n[17]) != want {
			t.Fatalf("accepted check character %q, want %s", n[17], want)
		}
		if !KnownRegion(n[:6]) || n[2:6] == "0000" {
			t.Fatalf("accepted region %s", n[:6])
		}
		got, err := BirthDate(n)
		if err != nil || n[6:14] != born.Format("20060102") || got.Format("20060102") != n[6:14] {
			t.Fatalf("accepted birth date %s, given %s (%v)", n[6:14], born.Format(time.DateOnly), err)
		}
		seq, err := strconv.Atoi(n[14:17])
		if err != nil {
			t.Fatal(err)
		}
		if got.Year() < 1000 {
			return // Make takes four-digit years; Validate any real date (the caller's rules bound a birth date)
		}
		if made := Make(n[:6], got, seq); made != n {
			t.Fatalf("Make from the accepted number's parts = %s", made)
		}
		if Last4(id) != n[14:] {
			t.Fatalf("Last4 = %s", Last4(id))
		}
	})
}
