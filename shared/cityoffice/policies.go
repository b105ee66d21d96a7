package cityoffice

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Policies keeps the priority policies (contract part 2, "Priority
// policies"): officers write versions, anyone reads the one in force.
type Policies struct {
	Store *store.Store
	Now   func() time.Time
	// Retry is the policy for numbering a version when another officer's
	// took the number meanwhile; zero: retry.Default.
	Retry retry.Policy
}

// PolicyStatus is where a version stands now.
type PolicyStatus string

// A version is in force (exactly one at a time, once any has begun),
// scheduled (it comes into force at its effective_from), or superseded: it
// ended, or a later version begins before it would and so it never will.
const (
	InForce    PolicyStatus = "in_force"
	Scheduled  PolicyStatus = "scheduled"
	Superseded PolicyStatus = "superseded"
)

// Policy is a version as the API shows it.
type Policy struct {
	Kind          domain.Kind         `json:"kind"`
	Version       int                 `json:"version"`
	EffectiveFrom time.Time           `json:"effective_from"`
	Status        PolicyStatus        `json:"status"`
	Tiers         []domain.PolicyTier `json:"tiers"`
	CreatedAt     time.Time           `json:"created_at"`
}

// NewPolicy is an officer's new version.
type NewPolicy struct {
	// EffectiveFrom: absent, now; it may be up to a minute past (the
	// officer's clock and ours differ), which counts as now, never earlier:
	// the policy a draw closed under stays the policy it closed under.
	EffectiveFrom *time.Time          `json:"effective_from"`
	Tiers         []domain.PolicyTier `json:"tiers"`
}

// Bounds of effective_from, from now.
const (
	policyPastSlack = time.Minute
	policyHorizon   = 2 * 366 * 24 * time.Hour
)

// PolicyKind is the kind a path names; not_found for any other.
func PolicyKind(s string) (domain.Kind, error) {
	if k := domain.Kind(s); k.Valid() {
		return k, nil
	}
	zh, en := domain.KindChoices()
	return "", apperr.New(apperr.NotFound, "没有这类项目（应为 "+zh+"）", "No such kind ("+en+")")
}

// PolicyVersionNumber is the version a path names; not_found when it is not
// a version number.
func PolicyVersionNumber(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > 999999 || strconv.Itoa(v) != s {
		return 0, apperr.New(apperr.NotFound, "版本号应为从 1 起的整数", "A version is a whole number from 1")
	}
	return v, nil
}

// Current is the version in force now: one Query.
func (s *Policies) Current(ctx context.Context, kind domain.Kind) (Policy, error) {
	p, err := s.Store.PolicyInForce(ctx, kind, s.Now())
	return view(p, InForce), err
}

// Version is one version with its status now.
func (s *Policies) Version(ctx context.Context, kind domain.Kind, version int) (Policy, error) {
	p, err := s.Store.PolicyVersion(ctx, kind, version)
	if err != nil {
		return Policy{}, err
	}
	st, err := s.statuses(ctx, kind)
	return view(p, st.of(p)), err
}

// Versions is a page of the versions, newest first, each with its status.
func (s *Policies) Versions(ctx context.Context, kind domain.Kind, page paging.Page) ([]Policy, string, error) {
	ps, next, err := s.Store.PolicyVersions(ctx, kind, page)
	if err != nil {
		return nil, "", err
	}
	st, err := s.statuses(ctx, kind)
	out := make([]Policy, len(ps))
	for i, p := range ps {
		out[i] = view(p, st.of(p))
	}
	return out, next, err
}

// Put writes the next version by officer: numbered after the latest
// (whatever its date), read again and renumbered when another officer's
// version took the number meanwhile, so no version is lost.
func (s *Policies) Put(ctx context.Context, kind domain.Kind, in NewPolicy, officer string) (Policy, error) {
	now := s.Now()
	from, tiers, err := s.validate(in, now)
	if err != nil {
		return Policy{}, err
	}
	p := domain.PriorityPolicy{Kind: kind, EffectiveFrom: from, Tiers: tiers, CreatedAt: now, CreatedBy: officer}
	err = s.Retry.Do(ctx, func(int) error {
		latest, err := s.Store.LatestPolicy(ctx, kind)
		switch {
		case apperr.Is(err, apperr.NotFound):
			p.Version = 1
		case err != nil:
			return err
		default:
			p.Version = latest.Version + 1
		}
		return s.Store.PutPolicy(ctx, p)
	})
	if err != nil {
		return Policy{}, err
	}
	st, err := s.statuses(ctx, kind)
	return view(p, st.of(p)), err
}

// validate checks the request whole (every bad field named at once) and
// says when the version begins and its tiers as stored (numbered, trimmed).
func (s *Policies) validate(in NewPolicy, now time.Time) (time.Time, []domain.PolicyTier, error) {
	var v apperr.Validation
	from := now
	if f := in.EffectiveFrom; f != nil {
		switch {
		case f.Before(now.Add(-policyPastSlack)):
			v.Add("effective_from", "生效时间不能早于现在（政策不能追溯生效）", "effective_from must not be in the past (a policy cannot apply backwards)")
		case f.After(now.Add(policyHorizon)):
			v.Add("effective_from", "生效时间不能晚于两年以后", "effective_from must be within two years")
		case f.After(now):
			from = *f
		}
	}
	tiers, err := domain.ValidatePolicyTiers(in.Tiers)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.ValidationFailed {
			return from, nil, err
		}
		for _, f := range e.Fields {
			v.Add(f.Field, f.Text.ZH, f.Text.EN)
		}
	}
	return from, tiers, v.Err()
}

// statuses is what decides each version's status now: the version in
// force, and those written after it, which all begin later (or it would
// not be in force).
type statuses struct {
	inForce int // 0: none
	later   []domain.PriorityPolicy
}

func (s *Policies) statuses(ctx context.Context, kind domain.Kind) (statuses, error) {
	inForce, later, err := s.Store.PolicySchedule(ctx, kind, s.Now())
	st := statuses{later: later}
	if inForce != nil {
		st.inForce = inForce.Version
	}
	return st, err
}

// of is p's status: a version after the one in force is scheduled unless a
// still later version begins no later than it does.
func (st statuses) of(p domain.PriorityPolicy) PolicyStatus {
	switch {
	case p.Version == st.inForce:
		return InForce
	case p.Version < st.inForce:
		return Superseded
	case slices.ContainsFunc(st.later, func(q domain.PriorityPolicy) bool {
		return q.Version > p.Version && !q.EffectiveFrom.After(p.EffectiveFrom)
	}):
		return Superseded
	}
	return Scheduled
}

func view(p domain.PriorityPolicy, st PolicyStatus) Policy {
	return Policy{Kind: p.Kind, Version: p.Version, EffectiveFrom: p.EffectiveFrom.In(domain.CityZone), Status: st,
		Tiers: p.Tiers, CreatedAt: p.CreatedAt.In(domain.CityZone)}
}
