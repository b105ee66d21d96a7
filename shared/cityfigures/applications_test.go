package cityfigures

import (
	"maps"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// lotteries are three lottery courses in service (two in binhu), a draft
// and a first-come course.
func lotteries() []domain.Offering {
	lottery := func(o domain.Offering) domain.Offering { o.Allocation = domain.Lottery; return o }
	return []domain.Offering{
		lottery(offering("a", domain.EveningCourse, "binhu", "c1", domain.OfferingPublished, 30, 0, 0)),
		lottery(offering("b", domain.EveningCourse, "binhu", "c1", domain.OfferingPublished, 10, 0, 0)),
		lottery(offering("c", domain.EveningCourse, "liangxi", "c2", domain.OfferingPublished, 20, 0, 0)),
		lottery(offering("draft", domain.EveningCourse, "liangxi", "c2", domain.OfferingDraft, 20, 0, 0)),
		offering("first", domain.EveningCourse, "liangxi", "c2", domain.OfferingPublished, 20, 20, 5),
	}
}

func TestApplicationsOf(t *testing.T) {
	os := lotteries()
	got := ApplicationsOf(os, "2026-11-28", map[string]int{"a": 1700, "b": 20, "c": 10, "draft": 99, "first": 99})
	if got.Total.Offerings != 3 || got.Total.Capacity != 60 || got.Total.Applicants != 1730 || got.Total.ApplicantsPerPlace != 28.8333 {
		t.Errorf("total %+v", got.Total)
	}
	if len(got.ByKindDistrict) != 2 {
		t.Fatalf("slices %+v", got.ByKindDistrict)
	}
	if b := got.ByKindDistrict[0]; b.District != "binhu" || b.Kind != domain.EveningCourse || b.Offerings != 2 || b.ApplicantsPerPlace != 43 {
		t.Errorf("binhu %+v", b)
	}
	if l := got.ByKindDistrict[1]; l.District != "liangxi" || l.Applicants != 10 || l.ApplicantsPerPlace != 0.5 {
		t.Errorf("liangxi %+v", l)
	}
	if none := ApplicationsOf(os[4:], "2026-11-28", nil); none.Total.Offerings != 0 || none.ByKindDistrict == nil {
		t.Errorf("no lotteries: %+v", none)
	}
}

func TestAddTiers(t *testing.T) {
	os := lotteries()
	got := ApplicationsOf(os, "2026-11-28", map[string]int{"a": 5, "b": 3, "c": 1})
	// a and b closed (b without a policy: all tier 1); c still open; a
	// first-come offering has no draw.
	got.AddTiers(os, "2026-11-28", map[string]map[string]int{"a": {"1": 1, "2": 4}, "b": {"1": 3}, "first": {"1": 9}})
	if want := map[string]int{"1": 4, "2": 4}; !maps.Equal(got.Total.ApplicantsByTier, want) {
		t.Errorf("total by tier %v, want %v", got.Total.ApplicantsByTier, want)
	}
	if len(got.ByTier) != 2 || got.ByTier[0].OfferingID != "a" || got.ByTier[0].Applicants != 5 || got.ByTier[1].OfferingID != "b" {
		t.Errorf("by offering %+v", got.ByTier)
	}
	for _, d := range got.ByKindDistrict {
		if d.District == "liangxi" && d.ApplicantsByTier != nil || d.District == "binhu" && d.ApplicantsByTier["1"] != 4 {
			t.Errorf("%s by tier %v", d.District, d.ApplicantsByTier)
		}
	}
}
