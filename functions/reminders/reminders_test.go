package reminders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/reminders"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// TestJobRemindsOnceAndLogsCounts: the job, run at its 18:00 the day
// before an offering first meets, reminds its booking; run again, nobody;
// each run logs what it did in counts, never whom.
func TestJobRemindsOnceAndLogsCounts(t *testing.T) {
	ctx := context.Background()
	st, ids, _ := dbtest.Custody(t)
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if err := st.PutOffering(ctx, dbtest.Offering("o1", c, 5, now), false); err != nil { // first meets 2025-09-01
		t.Fatal(err)
	}
	birth := time.Date(1995, 3, 1, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: "1995-03-01", IDNumber: idnumber.Make("320202", birth, 1)}, "acct-secret", ids, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateParticipant(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := (&residents.Service{Store: st, Now: func() time.Time { return now }}).Book(ctx, residents.Request{Account: p.Account, OfferingID: "o1", ParticipantID: p.ID}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	job := reminders.New(lambdafn.Deps{Store: st, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Now: func() time.Time { return now }})
	run := time.Date(2025, 8, 31, 18, 0, 0, 0, domain.CityZone)
	for i, want := range []float64{1, 0} {
		logs.Reset()
		if err := job(ctx, run); err != nil {
			t.Fatal(err)
		}
		var line map[string]any
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("run %d: %v in %s", i, err, logs.String())
		}
		if line["msg"] != "reminders" || line["day"] != "2025-09-01" || line["reminded"] != want || line["already"] != 1-want || line["offerings"] != 1.0 {
			t.Errorf("run %d logged %s", i, logs.String())
		}
		if strings.Contains(logs.String(), "acct-secret") {
			t.Errorf("the log names the account: %s", logs.String())
		}
	}
}
