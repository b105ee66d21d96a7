package seed

import (
	"context"
	"fmt"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// The centre in the middle of joining the programme: registered by Xinwu's
// district officer as a draft, its first nursery group prepared (a draft
// offering: publishing waits for the centre's activation), its director on
// its staff. Activating it (PATCH status active) is left to whoever tries
// the demo: the registry pages show it as 草稿 / Draft.
const (
	DemoJoiningCentre   = "c-xinwu-05"
	DemoJoiningStaff    = "staff-xinwu-05"
	demoJoiningOffering = "o-xinwu-cc-new"
)

var joining = domain.NewCentre{
	Name: "新吴区启航普惠托育园", District: "xinwu", LicenceNo: "320214-TY-2026-015",
	Address: "无锡市新吴区新华路 5 号启航社区服务中心 1 楼", Phone: "0510-85290515",
	Kinds: []domain.Kind{domain.Childcare}, Location: &domain.Location{Lat: 31.4905, Lng: 120.3625},
}

// putJoining writes the joining centre, its draft offering and its staff
// member, each only if it is not there yet (a second run writes nothing).
func (r *runner) putJoining(ctx context.Context) error {
	now := r.d.Now()
	officer := DemoDistrictOfficer(joining.District)
	c, err := r.d.Store.GetCentre(ctx, DemoJoiningCentre)
	switch {
	case apperr.As(err).Code == apperr.NotFound:
		if c, err = domain.CreateCentre(joining, DemoJoiningCentre, now); err != nil {
			return fmt.Errorf("joining centre: %w", err)
		}
		if err := r.d.Store.CreateCentre(ctx, c, store.Audit(c.ID, officer, "centre.create", c.ID, nil, c, now)); err != nil {
			return fmt.Errorf("joining centre: %w", err)
		}
	case err != nil:
		return err
	}
	spec := offeringSpec{id: demoJoiningOffering, centre: c.ID, kind: cc, group: mixed, capacity: 24, fee: 150000, state: draft}
	if err := r.d.Store.PutOffering(ctx, spec.offering(c, r.cal), true); err != nil {
		return fmt.Errorf("joining centre's offering: %w", err)
	}
	director := store.StaffMember{CentreID: c.ID, UserID: DemoJoiningStaff, Username: DemoJoiningStaff, Name: "周园长",
		PhoneMasked: "139****0515", AddedAt: now, AddedBy: officer}
	if _, err := r.d.Store.AddStaff(ctx, director, store.Audit(c.ID, officer, "staff.add", DemoJoiningStaff, nil,
		map[string]any{"name": director.Name, "phone": director.PhoneMasked, "created": true}, now)); err != nil {
		return fmt.Errorf("joining centre's staff: %w", err)
	}
	r.progress("写入筹建中的机构 / a centre joining: %s (草稿 / draft)", c.ID)
	return nil
}
