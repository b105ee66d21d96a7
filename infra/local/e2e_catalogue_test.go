package local_test

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// TestCatalogueFiltersOnTheDemoStack: on the stack as `make run` seeds it
// (which closes and cancels offerings, taking them out of the public
// index), every kind alone and in every district, at the default page size
// and others, the README's own query, and the centres of every district
// all answer 200 with exactly the right items, page after page. The
// expected items come from each centre's own list (another index).
func TestCatalogueFiltersOnTheDemoStack(t *testing.T) {
	e := start(t, withSeed)
	ctx := context.Background()
	all := func(list func(paging.Page) (string, error)) {
		t.Helper()
		for page := (paging.Page{Limit: 200}); ; {
			next, err := list(page)
			if err != nil {
				t.Fatal(err)
			}
			if page.Cursor = next; next == "" {
				return
			}
		}
	}
	var centres []domain.Centre
	all(func(p paging.Page) (string, error) {
		cs, next, err := e.st.Store.ListCentres(ctx, "", p)
		centres = append(centres, cs...)
		return next, err
	})
	var published []domain.Offering
	for _, c := range centres {
		all(func(p paging.Page) (string, error) {
			os, next, err := e.st.Store.ListCentreOfferings(ctx, c.ID, p)
			for _, o := range os {
				if o.Status == domain.OfferingPublished {
					published = append(published, o)
				}
			}
			return next, err
		})
	}
	if e.st.Seeded.Offerings == len(published) {
		t.Fatalf("the demo data has no offering out of the catalogue (%d published)", len(published))
	}

	// pages reads every page of path at limit (0: the default), and the
	// ids of what they list.
	pages := func(path string, limit int) []string {
		t.Helper()
		var ids []string
		cursor := ""
		for n := 0; n < 1000; n++ {
			q := path
			if limit > 0 {
				q += "&limit=" + strconv.Itoa(limit)
			}
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			r := e.do("GET", q, "", nil)
			e.expect(r, 200, "")
			items := r.json["items"].([]any)
			if pageLimit := cmp.Or(limit, 50); len(items) > pageLimit {
				t.Fatalf("%s: %d items on a page of %d", q, len(items), pageLimit)
			}
			for _, it := range items {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			if cursor = r.str("next_cursor"); cursor == "" {
				slices.Sort(ids)
				return ids
			}
		}
		t.Fatalf("%s: no last page", path)
		return nil
	}
	want := func(keep func(domain.Offering) bool) []string {
		var ids []string
		for _, o := range published {
			if keep(o) {
				ids = append(ids, o.ID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	check := func(path string, limit int, keep func(domain.Offering) bool) {
		t.Helper()
		if got, w := pages(path, limit), want(keep); !slices.Equal(got, w) {
			t.Errorf("%s at limit %d: %v, want %v", path, limit, got, w)
		}
	}
	for _, k := range domain.Kinds {
		for _, limit := range []int{0, 1, 7, 50, 200} {
			check("/v1/offerings?kind="+string(k), limit, func(o domain.Offering) bool { return o.Kind == k })
		}
		for _, d := range domain.Districts {
			for _, limit := range []int{0, 3, 200} {
				check("/v1/offerings?kind="+string(k)+"&district="+string(d), limit, func(o domain.Offering) bool {
					return o.Kind == k && o.Centre.District == d
				})
			}
		}
	}
	check("/v1/offerings?kind=evening_course&available=true", 5, func(o domain.Offering) bool {
		return o.Kind == domain.EveningCourse && o.Available() > 0
	})
	for _, d := range domain.Districts {
		var w []string // the public list: the demo's joining centre, a draft, is not in it
		for _, c := range centres {
			if c.District == d && c.Public() {
				w = append(w, c.ID)
			}
		}
		slices.Sort(w)
		for _, limit := range []int{0, 1, 200} {
			if got := pages("/v1/centres?district="+string(d), limit); !slices.Equal(got, w) || len(w) == 0 {
				t.Errorf("centres of %s at limit %d: %v, want %v", d, limit, got, w)
			}
		}
	}
}
