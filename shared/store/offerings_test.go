package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestCatalogueAfterOfferingsLeaveIt: offerings closed or cancelled leave
// the public index (GSI1, sparse), and the catalogue, by kind, by kind and
// district, and the centres by district, answer with exactly the published
// ones at every page size, page after page. (The embedded server used to
// keep the closed ones' index entries, and every such Query failed.)
func TestCatalogueAfterOfferingsLeaveIt(t *testing.T) {
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	now := time.Date(2025, 10, 10, 9, 0, 0, 0, domain.CityZone)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	districts := []domain.District{"binhu", "huishan", "liangxi"}
	var centres []domain.Centre
	published := map[string]bool{}
	var all []domain.Offering
	for _, d := range districts {
		for i := range 2 {
			c := dbtest.Centre(fmt.Sprintf("c-%s-%d", d, i), d)
			must(st.PutCentre(ctx, c, false))
			centres = append(centres, c)
		}
		c := centres[len(centres)-1]
		for _, k := range domain.Kinds {
			for i, fate := range []string{"open", "closed and reopened", "closed", "cancelled", "closed by put"} {
				o := dbtest.Offering(fmt.Sprintf("o-%s-%s-%d", k, d, i), c, 20, now, func(o *domain.Offering) { o.Kind = k })
				audit := store.Audit(c.ID, "staff-1", "test", o.ID, nil, nil, now)
				must(st.CreateOffering(ctx, o, audit))
				edit := func(status domain.OfferingStatus) {
					after := o
					after.Status = status
					must(st.UpdateOffering(ctx, store.OfferingChange{Before: o, After: after, Audit: audit, Now: now}))
					o = after
				}
				switch fate {
				case "closed and reopened":
					edit(domain.OfferingClosed)
					edit(domain.OfferingPublished)
				case "closed":
					edit(domain.OfferingClosed)
				case "cancelled":
					edit(domain.OfferingCancelled)
				case "closed by put": // as the seed closes last term's course
					o.Status = domain.OfferingClosed
					must(st.PutOffering(ctx, o, false))
				}
				published[o.ID] = o.Status == domain.OfferingPublished
				all = append(all, o)
			}
		}
	}
	limits := []int{1, 5, 50, 200}
	for _, k := range domain.Kinds {
		for _, d := range append([]domain.District{""}, districts...) {
			var want []string
			for _, o := range all {
				if published[o.ID] && o.Kind == k && (d == "" || o.Centre.District == d) {
					want = append(want, o.ID)
				}
			}
			slices.Sort(want) // same start date: district, then id
			for _, limit := range limits {
				var got []string
				cursor := ""
				for page := 0; ; page++ {
					os, next, err := st.ListPublished(ctx, store.OfferingFilter{Kind: k, District: d}, paging.Page{Limit: limit, Cursor: cursor})
					if err != nil {
						t.Fatalf("kind %s district %q limit %d page %d: %v", k, d, limit, page, err)
					}
					for _, o := range os {
						got = append(got, o.ID)
					}
					if cursor = next; cursor == "" || page > len(all) {
						break
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("kind %s district %q limit %d: %v, want %v", k, d, limit, got, want)
				}
			}
		}
	}
	for _, d := range districts {
		for _, limit := range limits {
			cs, _, err := st.ListCentres(ctx, d, paging.Page{Limit: limit})
			if err != nil {
				t.Fatalf("centres of %s, limit %d: %v", d, limit, err)
			}
			if want := min(limit, 2); len(cs) != want || cs[0].District != d {
				t.Errorf("centres of %s, limit %d: %+v, want %d", d, limit, cs, want)
			}
		}
	}
}
