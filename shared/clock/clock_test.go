package clock

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

func TestFromStartsThereAndAdvances(t *testing.T) {
	at := time.Date(2028, 2, 29, 9, 0, 0, 0, domain.CityZone)
	now := From(at)
	first := now()
	if d := first.Sub(at); d < 0 || d > time.Second {
		t.Fatalf("first reading %s, want %s", first, at)
	}
	if _, off := first.Zone(); off != 8*3600 {
		t.Errorf("reading %s is not in at's zone", first)
	}
	time.Sleep(20 * time.Millisecond)
	if second := now(); !second.After(first) || second.Sub(first) < 20*time.Millisecond {
		t.Errorf("the clock did not advance: %s then %s", first, second)
	}
}

func TestFixed(t *testing.T) {
	at := time.Date(2027, 1, 1, 0, 30, 0, 0, domain.CityZone)
	now := Fixed(at)
	first := now()
	time.Sleep(time.Millisecond)
	if second := now(); !first.Equal(at) || !second.Equal(at) {
		t.Errorf("Fixed reads %s, then %s", first, second)
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		in, want string // want in RFC 3339, Wuxi time; "" for an error
	}{
		{"2028-02-29T09:00:00+08:00", "2028-02-29T09:00:00+08:00"},
		{"2026-12-31T16:30:00Z", "2027-01-01T00:30:00+08:00"},
		{"2028-02-29", "2028-02-29T00:00:00+08:00"},
		{"2027-02-29", ""},
		{"29/02/2028", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("Parse(%q) = %s, want an error", c.in, got)
		case c.want != "" && (err != nil || got.Format(time.RFC3339) != c.want):
			t.Errorf("Parse(%q) = %s, %v; want %s", c.in, got.Format(time.RFC3339), err, c.want)
		}
	}
}
