package domain

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

func goodCentre() NewCentre {
	return NewCentre{Name: "梁溪区阳光托育园", District: "liangxi", LicenceNo: "320213-TY-0042", Address: "无锡市梁溪区中山路 8 号",
		Phone: "0510-82345678", Kinds: []Kind{Childcare, CareClass}, Location: &Location{Lat: 31.57, Lng: 120.3}}
}

// centreFields is the fields a validation error names (nil for none).
func centreFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e := apperr.As(err)
	if e == nil || e.Code != apperr.ValidationFailed {
		t.Fatalf("%v: want validation_failed", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Text.ZH == "" || f.Text.EN == "" {
			t.Errorf("field %s: a message in both languages, got %q / %q", f.Field, f.Text.ZH, f.Text.EN)
		}
		out = append(out, f.Field)
	}
	return out
}

func TestCreateCentre(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, CityZone)
	for _, tc := range []struct {
		name string
		edit func(*NewCentre)
		want []string
	}{
		{"good", func(*NewCentre) {}, nil},
		{"mobile phone, no location", func(c *NewCentre) { c.Phone, c.Location = "13912345678", nil }, nil},
		{"landline without dash, with extension", func(c *NewCentre) { c.Phone = "051082345678-12" }, nil},
		{"school id", func(c *NewCentre) { c.LicenceNo = "3132020001" }, nil},
		{"name too short", func(c *NewCentre) { c.Name = "园" }, []string{"name"}},
		{"name too long", func(c *NewCentre) { c.Name = string(make([]rune, 61)) }, []string{"name"}},
		{"name 60 characters", func(c *NewCentre) { c.Name = "托育" + string(slices.Repeat([]rune("园"), 58)) }, nil},
		{"no licence", func(c *NewCentre) { c.LicenceNo = "" }, []string{"licence_no"}},
		{"licence with spaces", func(c *NewCentre) { c.LicenceNo = "3202 TY 42" }, []string{"licence_no"}},
		{"licence too short", func(c *NewCentre) { c.LicenceNo = "TY1" }, []string{"licence_no"}},
		{"licence ends in a dash", func(c *NewCentre) { c.LicenceNo = "TY-42-" }, []string{"licence_no"}},
		{"no address", func(c *NewCentre) { c.Address = "" }, []string{"address"}},
		{"phone too short", func(c *NewCentre) { c.Phone = "8234567" }, []string{"phone"}},
		{"phone not a mobile", func(c *NewCentre) { c.Phone = "12912345678" }, []string{"phone"}},
		{"no kinds", func(c *NewCentre) { c.Kinds = nil }, []string{"kinds"}},
		{"unknown kind", func(c *NewCentre) { c.Kinds = []Kind{Childcare, "swimming"} }, []string{"kinds"}},
		{"unknown district", func(c *NewCentre) { c.District = "suzhou" }, []string{"district"}},
		{"lat and lng swapped", func(c *NewCentre) { c.Location = &Location{Lat: 120.3, Lng: 31.57} }, []string{"location"}},
		{"Nanjing", func(c *NewCentre) { c.Location = &Location{Lat: 32.06, Lng: 118.8} }, []string{"location"}},
		{"Yixing's south edge", func(c *NewCentre) { c.Location = &Location{Lat: 31.1, Lng: 119.7} }, nil},
		{"everything wrong", func(c *NewCentre) { *c = NewCentre{} }, []string{"name", "district", "licence_no", "address", "phone", "kinds"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := goodCentre()
			tc.edit(&in)
			c, err := CreateCentre(in, "c_x", now)
			if got := centreFields(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("fields %v, want %v", got, tc.want)
			}
			if err == nil && (c.Status != CentreDraft || c.ID != "c_x" || !c.CreatedAt.Equal(now) || len(c.Kinds) == 0) {
				t.Fatalf("created %+v", c)
			}
		})
	}
}

func TestCentrePatch(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, CityZone)
	base, err := CreateCentre(goodCentre(), "c_x", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	suspended := base
	suspended.Status, suspended.SuspendedReason = CentreSuspended, "检查"
	active := base
	active.Status = CentreActive
	decode := func(s string) CentrePatch {
		var p CentrePatch
		if err := json.Unmarshal([]byte(s), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		from  Centre
		patch string
		want  []string
		check func(Centre) bool
	}{
		{"rename", base, `{"name":"新名字托育园"}`, nil, func(c Centre) bool { return c.Name == "新名字托育园" && c.Status == CentreDraft }},
		{"location absent keeps it", base, `{"phone":"13800000000"}`, nil, func(c Centre) bool { return c.Location != nil && c.Phone == "13800000000" }},
		{"location null clears it", base, `{"location":null}`, nil, func(c Centre) bool { return c.Location == nil }},
		{"location moved", base, `{"location":{"lat":31.9,"lng":120.28}}`, nil, func(c Centre) bool { return c.Location.Lat == 31.9 }},
		{"activate a draft", base, `{"status":"active"}`, nil, func(c Centre) bool { return c.Status == CentreActive }},
		{"reinstate", suspended, `{"status":"active"}`, nil, func(c Centre) bool { return c.Status == CentreActive && c.SuspendedReason == "" }},
		{"suspend by patch", active, `{"status":"suspended"}`, []string{"status"}, nil},
		{"back to draft", active, `{"status":"draft"}`, []string{"status"}, nil},
		{"district", base, `{"district":"xishan"}`, []string{"district"}, nil},
		{"same district", base, `{"district":"liangxi"}`, nil, func(c Centre) bool { return c.District == "liangxi" }},
		{"bad phone and kinds", base, `{"phone":"1","kinds":[]}`, []string{"phone", "kinds"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decode(tc.patch).Apply(tc.from, now)
			if fields := centreFields(t, err); !slices.Equal(fields, tc.want) {
				t.Fatalf("fields %v, want %v", fields, tc.want)
			}
			if err != nil {
				if !got.UpdatedAt.Equal(*tc.from.UpdatedAt) {
					t.Fatal("a refused patch changed the centre")
				}
				return
			}
			if !tc.check(got) || !got.UpdatedAt.Equal(now) {
				t.Fatalf("patched %+v", got)
			}
		})
	}
}

func TestCentreSuspendAndPublish(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, CityZone)
	c, _ := CreateCentre(goodCentre(), "c_x", now)
	if _, err := c.Suspend("检查", now); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("suspending a draft: %v", err)
	}
	if err := c.CanPublish(); !apperr.Is(err, apperr.CentreNotActive) {
		t.Fatalf("publishing at a draft centre: %v", err)
	}
	if c.Public() {
		t.Fatal("a draft centre is public")
	}
	c.Status = CentreActive
	if err := c.CanPublish(); err != nil {
		t.Fatal(err)
	}
	s, err := c.Suspend("消防检查未通过", now)
	if err != nil || s.Status != CentreSuspended || !s.SuspendedAt.Equal(now) || !s.Public() {
		t.Fatalf("suspended %+v, %v", s, err)
	}
	if err := s.CanPublish(); !apperr.Is(err, apperr.CentreNotActive) {
		t.Fatalf("publishing at a suspended centre: %v", err)
	}
	// Its offerings refuse bookings and applications with booking_closed.
	o := Offering{Status: OfferingPublished, CentreSuspended: true, BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: now.Add(time.Hour)}
	if err := Bookable(o, Participant{}, now); !apperr.Is(err, apperr.BookingClosed) {
		t.Fatalf("booking: %v", err)
	}
	o.Allocation = Lottery
	open, closes := now.Add(-time.Hour), now.Add(time.Hour)
	o.ApplicationsOpenAt, o.ApplicationsCloseAt = &open, &closes
	if err := Applicable(o, Participant{}, now); !apperr.Is(err, apperr.BookingClosed) {
		t.Fatalf("applying: %v", err)
	}
}
