package catalogue_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/catalogue"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// TestCentresByStatus: a draft centre is not public (not found, not
// listed); a suspended one is, with its status and reason; a centre from
// before the registry reads as active.
func TestCentresByStatus(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	old, draft, suspended := dbtest.Centre("c1", "binhu"), dbtest.Centre("c2", "binhu"), dbtest.Centre("c3", "binhu")
	draft.Status = domain.CentreDraft
	suspended.Status, suspended.SuspendedReason, suspended.SuspendedAt = domain.CentreSuspended, "停业整顿", &now
	lambdafntest.Put(t, d, []domain.Centre{old, draft, suspended})
	h := catalogue.New(d)
	get := func(path string) lambdafntest.Case { return lambdafntest.Case{Method: http.MethodGet, Path: path} }
	lambdafntest.Run(t, h, []lambdafntest.Case{
		{Name: "a draft centre", Method: http.MethodGet, Path: "/v1/centres/c2", Status: 404, Code: apperr.NotFound},
		{Name: "a suspended centre", Method: http.MethodGet, Path: "/v1/centres/c3", Status: 200},
	})
	var list struct{ Items []domain.Centre }
	if err := json.Unmarshal(lambdafntest.Serve(h, get("/v1/centres?limit=1")).Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	all := list.Items
	w := lambdafntest.Serve(h, get("/v1/centres"))
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list.Items {
		ids = append(ids, c.ID+":"+string(c.Status))
	}
	if !slices.Equal(ids, []string{"c1:active", "c3:suspended"}) || len(all) != 1 || list.Items[1].SuspendedReason != "停业整顿" {
		t.Fatalf("public centres %v: %s", ids, w.Body)
	}
}
