package seed

import (
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestDemoDistrictOfficers: one demo district officer per district, each
// its own account (none the city officer's or staff's), and the one `make
// run` prints is of the demo staff centre's district, so the two see the
// same centre.
func TestDemoDistrictOfficers(t *testing.T) {
	subs := DemoDistrictOfficers()
	if len(subs) != len(domain.Districts) {
		t.Fatalf("%d district officers for %d districts", len(subs), len(domain.Districts))
	}
	seen := map[string]bool{DemoOfficer: true, DemoStaff: true, DemoResident: true}
	for i, d := range domain.Districts {
		if subs[i] != "officer-"+string(d) || seen[subs[i]] {
			t.Errorf("district %s: officer %q, want officer-%s, an account of its own", d, subs[i], d)
		}
		seen[subs[i]] = true
	}
	i := slices.IndexFunc(centres, func(c domain.Centre) bool { return c.ID == DemoStaffCentre })
	if i < 0 || centres[i].District != DemoDistrict || !slices.Contains(subs, DemoDistrictOfficer(DemoDistrict)) {
		t.Fatalf("demo staff centre %s (found %v) is not in DemoDistrict %s", DemoStaffCentre, i >= 0, DemoDistrict)
	}
}
