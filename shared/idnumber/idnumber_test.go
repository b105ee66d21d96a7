package idnumber

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// refCheck computes the ISO 7064 MOD 11-2 check character from first
// principles (weights 2^(17-i) mod 11; check value (12 − sum mod 11) mod 11,
// 10 written X), independently of the package's tables.
func refCheck(t testing.TB, first17 string) string {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("refCheck: need 17 digits, got %d", len(first17))
	}
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = (w * 2) % 11 // 2^(17-i) mod 11
		sum += int(first17[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return "X"
	}
	return fmt.Sprint(v)
}

// valid builds a valid number in the test, without Make.
func valid(t testing.TB, region, yyyymmdd, seq string) string {
	t.Helper()
	first17 := region + yyyymmdd + seq
	return first17 + refCheck(t, first17)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wrongCheck replaces the check character of id with the one that is wrong
// by one step, so the number stays well-formed but fails the check.
func wrongCheck(id string) string {
	const chars = "0123456789X"
	i := strings.IndexByte(chars, id[17])
	return id[:17] + string(chars[(i+1)%len(chars)])
}

func TestWellKnownSample(t *testing.T) {
	const sample = "11010519491231002X"
	if got := refCheck(t, sample[:17]); got != "X" {
		t.Fatalf("reference check of the well-known sample = %s, want X", got)
	}
	if c, err := CheckChar(sample[:17]); err != nil || c != 'X' {
		t.Fatalf("CheckChar = %q, %v; want X", c, err)
	}
	if err := Validate(sample, date(1949, time.December, 31)); err != nil {
		t.Fatalf("Validate(sample) = %v", err)
	}
}

func TestValidate(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	child := valid(t, "320202", "20230115", "123") // 梁溪区, 2023-01-15
	pupil := valid(t, "320211", "20160229", "004") // 滨湖区, leap day
	adult := valid(t, "320281", "19990708", "991") // 江阴市
	sample := "11010519491231002X"

	// find a number whose check character is X, to test lower-case x.
	var withX string
	for seq := 0; seq < 1000 && withX == ""; seq++ {
		if id := valid(t, "320205", "20200601", fmt.Sprintf("%03d", seq)); id[17] == 'X' {
			withX = id
		}
	}
	if withX == "" {
		t.Fatal("no sequence number yields check character X")
	}

	tests := []struct {
		name  string
		id    string
		birth time.Time
		want  error
	}{
		{"child", child, date(2023, 1, 15), nil},
		{"leap day", pupil, date(2016, 2, 29), nil},
		{"adult", adult, date(1999, 7, 8), nil},
		{"well-known sample", sample, date(1949, 12, 31), nil},
		{"check X", withX, date(2020, 6, 1), nil},
		{"lower-case x", strings.ToLower(withX), date(2020, 6, 1), nil},
		{"surrounding spaces", "  " + child + "\t", date(2023, 1, 15), nil},
		{"birth date in Shanghai at midnight", child, time.Date(2023, 1, 15, 0, 0, 0, 0, shanghai), nil},
		{"birth date with a time of day", child, time.Date(2023, 1, 15, 23, 59, 0, 0, time.UTC), nil},

		{"wrong check digit", wrongCheck(child), date(2023, 1, 15), ErrCheckDigit},
		{"wrong check X", wrongCheck(withX), date(2020, 6, 1), ErrCheckDigit},
		{"swapped digits", child[:3] + child[4:5] + child[3:4] + child[5:], date(2023, 1, 15), ErrCheckDigit},

		{"empty", "", date(2023, 1, 15), ErrFormat},
		{"17 characters", child[:17], date(2023, 1, 15), ErrFormat},
		{"19 characters", child + "1", date(2023, 1, 15), ErrFormat},
		{"15-digit old format", "320202230115123", date(2023, 1, 15), ErrFormat},
		{"letter inside", child[:5] + "A" + child[6:], date(2023, 1, 15), ErrFormat},
		{"X not last", "X" + child[1:], date(2023, 1, 15), ErrFormat},
		{"other letter last", child[:17] + "Y", date(2023, 1, 15), ErrFormat},
		{"inner space", child[:9] + " " + child[10:], date(2023, 1, 15), ErrFormat},
		{"full-width digits", "３２０２０２" + child[6:], date(2023, 1, 15), ErrFormat},
		{"minus sign", "-" + child[1:], date(2023, 1, 15), ErrFormat},

		{"Feb 30", valid(t, "320202", "20230230", "123"), date(2023, 3, 2), ErrFormat},
		{"Feb 29 in a common year", valid(t, "320202", "20230229", "123"), date(2023, 3, 1), ErrFormat},
		{"month 13", valid(t, "320202", "20231301", "123"), date(2024, 1, 1), ErrFormat},
		{"day 00", valid(t, "320202", "20230100", "123"), date(2022, 12, 31), ErrFormat},
		{"April 31", valid(t, "320202", "20230431", "123"), date(2023, 5, 1), ErrFormat},

		{"unknown region 999999", valid(t, "999999", "20230115", "123"), date(2023, 1, 15), ErrRegion},
		{"province code", valid(t, "320000", "20230115", "123"), date(2023, 1, 15), ErrRegion},
		{"no such county in Wuxi", valid(t, "320299", "20230115", "123"), date(2023, 1, 15), ErrRegion},
		{"development zone (statistical code only)", valid(t, "320576", "20230115", "123"), date(2023, 1, 15), ErrRegion},
		// The check digit is checked first: a typo is told as a typo.
		{"unknown region, wrong check", wrongCheck(valid(t, "999999", "20230115", "123")), date(2023, 1, 15), ErrCheckDigit},

		{"mismatched day", child, date(2023, 1, 16), ErrBirthDate},
		{"mismatched month", child, date(2023, 2, 15), ErrBirthDate},
		{"mismatched year", child, date(2022, 1, 15), ErrBirthDate},
		{"zero birth date", child, time.Time{}, ErrBirthDate},
		// Compared in the time's own location: Shanghai midnight moved to UTC is the day before.
		{"Shanghai midnight converted to UTC", child, time.Date(2023, 1, 15, 0, 0, 0, 0, shanghai).UTC(), ErrBirthDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.id, tc.birth)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Validate(%q, %s) = %v, want %v", tc.id, tc.birth.Format(time.DateOnly), err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), Normalize(tc.id)) && Normalize(tc.id) != "" {
				t.Fatalf("error %q leaks the number", err)
			}
		})
	}
}

func TestErrorsDistinct(t *testing.T) {
	errs := []error{ErrFormat, ErrCheckDigit, ErrRegion, ErrBirthDate}
	for i, a := range errs {
		for j, b := range errs {
			if i != j && errors.Is(a, b) {
				t.Fatalf("%v is %v", a, b)
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002x", "11010519491231002X"},
		{" 11010519491231002X \n", "11010519491231002X"},
		{"320202202301151234", "320202202301151234"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLast4(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002X", "002X"},
		{"11010519491231002x", "002X"},
		{" 320202202301151234 ", "1234"},
		{"12", "12"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Last4(tc.in); got != tc.want {
			t.Errorf("Last4(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBirthDate(t *testing.T) {
	got, err := BirthDate("11010519491231002x")
	if err != nil || !got.Equal(date(1949, 12, 31)) {
		t.Fatalf("BirthDate = %v, %v", got, err)
	}
	if _, err := BirthDate(valid(t, "320202", "20230230", "123")); !errors.Is(err, ErrFormat) {
		t.Fatalf("BirthDate(Feb 30) err = %v, want ErrFormat", err)
	}
	if _, err := BirthDate("123"); !errors.Is(err, ErrFormat) {
		t.Fatalf("BirthDate(short) err = %v, want ErrFormat", err)
	}
}

func TestMake(t *testing.T) {
	tests := []struct {
		region string
		birth  time.Time
		seq    int
		want   string
	}{
		{"110105", date(1949, 12, 31), 2, "11010519491231002X"},
		{"320202", date(2023, 1, 15), 123, valid(t, "320202", "20230115", "123")},
		{"320214", date(2018, 8, 1), 0, valid(t, "320214", "20180801", "000")},
		{"320282", date(2000, 2, 29), 999, valid(t, "320282", "20000229", "999")},
	}
	for _, tc := range tests {
		got := Make(tc.region, tc.birth, tc.seq)
		if got != tc.want {
			t.Errorf("Make(%s, %s, %d) = %s, want %s", tc.region, tc.birth.Format(time.DateOnly), tc.seq, got, tc.want)
		}
		if err := Validate(got, tc.birth); err != nil {
			t.Errorf("Validate(Make(...)) = %v", err)
		}
	}
}

func TestMakePanics(t *testing.T) {
	tests := []struct {
		name   string
		region string
		birth  time.Time
		seq    int
	}{
		{"short region", "32020", date(2020, 1, 1), 1},
		{"letter in region", "32020A", date(2020, 1, 1), 1},
		{"negative seq", "320202", date(2020, 1, 1), -1},
		{"seq too big", "320202", date(2020, 1, 1), 1000},
		{"zero birth", "320202", time.Time{}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Make did not panic")
				}
			}()
			Make(tc.region, tc.birth, tc.seq)
		})
	}
}
