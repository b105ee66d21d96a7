package cityfigures

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Reason says why the places changed.
type Reason string

// Reasons for a change in places.
const (
	Published      Reason = "published"       // an offering's places opened
	CapacityRaised Reason = "capacity_raised" // more places in an offering in service
	CapacityCut    Reason = "capacity_cut"    // fewer
	Cancelled      Reason = "cancelled"       // the centre cancelled it
	Ended          Reason = "ended"           // its last day passed
	Withdrawn      Reason = "withdrawn"       // out of service for another reason
	// Issue 19: the centre was suspended (its offerings' places leave the
	// figures) or reinstated (they come back).
	CentreSuspended  Reason = "centre_suspended"
	CentreReinstated Reason = "centre_reinstated"
)

// SystemActor is who ends an offering's places when its last day has passed.
const SystemActor = "system"

// Change is one dated change in places: the change ledger's entry.
type Change struct {
	At            time.Time       `json:"at"`
	Date          string          `json:"date"`
	Kind          domain.Kind     `json:"kind"`
	District      domain.District `json:"district"`
	CentreID      string          `json:"centre_id"`
	CentreName    string          `json:"centre_name"`
	OfferingID    string          `json:"offering_id"`
	OfferingTitle string          `json:"offering_title"`
	Term          string          `json:"term"`
	Reason        Reason          `json:"reason"`
	Before        int             `json:"before"`
	After         int             `json:"after"`
	Delta         int             `json:"delta"`
	Actor         string          `json:"actor"`
}

// ChangeOf is the change in places that editing before into after makes at
// at, by actor; ok is false when the places stay as they were (a new
// offering's before is the zero Offering). Every write that changes an
// offering records what this returns in the same transaction, so the ledger
// holds each change exactly once.
func ChangeOf(before, after domain.Offering, actor string, at time.Time) (c Change, ok bool) {
	date := Date(at)
	was, is := Places(before, date), Places(after, date)
	if was == is {
		return Change{}, false
	}
	c = entry(after, at, was, is, actor)
	switch {
	case after.CentreSuspended && !before.CentreSuspended:
		c.Reason = CentreSuspended
	case before.CentreSuspended && !after.CentreSuspended && before.ID != "":
		c.Reason = CentreReinstated
	case was == 0:
		c.Reason = Published
	case is == 0 && after.Status == domain.OfferingCancelled:
		c.Reason = Cancelled
	case is == 0:
		c.Reason = Withdrawn
	case is > was:
		c.Reason = CapacityRaised
	default:
		c.Reason = CapacityCut
	}
	return c, true
}

// EndOf is the change that takes an offering's places out of service once its
// last day has passed: dated the first moment of the next day, by the system.
func EndOf(o domain.Offering) (Change, bool) {
	last, err := time.ParseInLocation(time.DateOnly, o.EndsOn, domain.CityZone)
	if err != nil || Places(o, o.EndsOn) == 0 { // a suspended centre's places left already
		return Change{}, false
	}
	c := entry(o, last.AddDate(0, 0, 1), Places(o, o.EndsOn), 0, SystemActor)
	c.Reason = Ended
	return c, true
}

func entry(o domain.Offering, at time.Time, before, after int, actor string) Change {
	at = at.In(domain.CityZone)
	return Change{
		At: at, Date: Date(at), Kind: o.Kind, District: o.Centre.District,
		CentreID: o.Centre.ID, CentreName: o.Centre.Name, OfferingID: o.ID, OfferingTitle: o.Title, Term: o.Term,
		Before: before, After: after, Delta: after - before, Actor: actor,
	}
}
