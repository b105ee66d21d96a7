package dbtest

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Centre is a plausible centre for tests.
func Centre(id string, district domain.District) domain.Centre {
	return domain.Centre{ID: id, Name: "测试托育中心 " + id, District: district, Address: "无锡市测试路 1 号",
		Phone: "0510-80000000", Kinds: []domain.Kind{domain.Childcare, domain.CareClass, domain.EveningCourse}}
}

// Offering is a published evening course open for booking now, for adults
// 18–45, with capacity places and a waitlist; edit applies changes.
func Offering(id string, c domain.Centre, capacity int, now time.Time, edit ...func(*domain.Offering)) domain.Offering {
	o := domain.Offering{
		ID: id, Kind: domain.EveningCourse, Centre: c.Ref(), Title: "锡青夜校 · 测试课程 " + id, Description: "测试",
		Term: "2025-autumn", StartsOn: "2025-09-01", EndsOn: "2025-12-31",
		Schedule: domain.Schedule{Text: "每周一 19:00–21:00", Sessions: []string{"2025-09-01", "2025-09-08"}},
		Capacity: capacity, Status: domain.OfferingPublished,
		BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: now.Add(30 * 24 * time.Hour),
		MinAgeMonths: 18 * 12, MaxAgeMonths: 45*12 + 11, WaitlistEnabled: true,
	}
	for _, e := range edit {
		e(&o)
	}
	return o
}
