package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// policies are the demo's priority policies, version 1 of each, in force
// since 1 January of last year (before anything the demo draws) and
// written by the demo officer the day before. Evening courses have none:
// their lotteries draw everyone as one tier.
var policies = map[domain.Kind][]domain.PolicyTier{
	domain.Childcare: {
		{Code: "hardship_special_needs", ZH: "困境及特殊需要儿童", EN: "Children in hardship or with special needs", Evidence: "低保/特困/残疾证明、困境儿童认定"},
		{Code: "dual_worker", ZH: "双职工家庭", EN: "Both parents in work", Evidence: "父母双方劳动合同或社保缴纳证明"},
		{Code: "sibling_enrolled", ZH: "兄弟姐妹已在本中心", EN: "A brother or sister already at the centre", Evidence: "在托兄弟姐妹的在园证明"},
		{Code: "district_resident", ZH: "本区户籍或居住证", EN: "Registered or residing in the district", Evidence: "户口簿或居住证地址在本区"},
		{Code: "general", ZH: "其他申请人", EN: "Everyone else"},
	},
	domain.CareClass: {
		{Code: "hardship", ZH: "困境家庭儿童", EN: "Children of families in hardship", Evidence: "低保/特困家庭证明或困境儿童认定"},
		{Code: "dual_worker", ZH: "双职工家庭", EN: "Both parents in work", Evidence: "父母双方在职证明或社保缴纳记录"},
		{Code: "local_school", ZH: "本街道小学在读", EN: "At a primary school in the subdistrict", Evidence: "学校出具的在读证明"},
		{Code: "general", ZH: "其他申请人", EN: "Everyone else"},
	},
}

// PolicySince is when the demo's policies took effect, for a seed run at now.
func PolicySince(now time.Time) time.Time {
	return time.Date(now.In(domain.CityZone).Year()-1, time.January, 1, 0, 0, 0, 0, domain.CityZone)
}

// putPolicies writes version 1 of each demo policy, or finds it there.
func (r *runner) putPolicies(ctx context.Context) error {
	since := PolicySince(r.cal.now)
	for _, kind := range domain.Kinds {
		tiers, ok := policies[kind]
		if !ok {
			continue
		}
		err := r.d.Store.PutPolicy(ctx, domain.PriorityPolicy{Kind: kind, Version: 1, EffectiveFrom: since, Tiers: tiers,
			CreatedAt: since.AddDate(0, 0, -1).Add(10 * time.Hour), CreatedBy: DemoOfficer})
		if err != nil && !errors.Is(err, store.ErrContention) { // ErrContention: seeded before
			return fmt.Errorf("policy %s: %w", kind, err)
		}
	}
	r.progress("优先级政策 / priority policies: %d（%s 起生效）", len(policies), day(since))
	return nil
}
