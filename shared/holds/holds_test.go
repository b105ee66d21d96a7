package holds_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/holds"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// at is a run of the job on day (its schedule's 03:30 in Wuxi).
func at(day string) time.Time {
	t, err := domain.ParseDate(day)
	if err != nil {
		panic(err)
	}
	return t.Add(3*time.Hour + 30*time.Minute)
}

var quiet = slog.New(slog.DiscardHandler)

// city is a table where three people each booked two evening courses of
// 2025-autumn, "autumn" (ending 2025-12-31) and "long" (ending
// 2026-03-31), and a fourth booked autumn and cancelled. The first person
// also carries a no-show block that ended on 2025-12-31 and one running
// to 2026-06-30.
type city struct {
	cfg    config.Config
	st     *store.Store
	db     *dynamodb.Client
	table  string
	people []domain.Participant
}

func newCity(t *testing.T) *city {
	t.Helper()
	ctx := context.Background()
	cfg := dbtest.Config(t)
	st, ids, db := dbtest.CustodyOn(t, cfg)
	c := &city{cfg: cfg, st: st, db: db, table: cfg.TableName}
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	centre := dbtest.Centre("c1", "binhu")
	must(t, st.PutCentre(ctx, centre, false))
	for id, ends := range map[string]string{"autumn": "2025-12-31", "long": "2026-03-31"} {
		must(t, st.PutOffering(ctx, dbtest.Offering(id, centre, 10, now, func(o *domain.Offering) { o.EndsOn = ends }), false))
	}
	bk := &residents.Service{Store: st, Now: func() time.Time { return now }}
	for seq := 1; seq <= 4; seq++ {
		birth := time.Date(1995, 3, seq, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320202", birth, seq)}, fmt.Sprintf("acc-%d", seq), ids, now)
		must(t, err)
		must(t, st.CreateParticipant(ctx, p))
		for _, o := range []string{"autumn", "long"} {
			now = now.Add(time.Minute)
			res, err := bk.Book(ctx, residents.Request{Account: p.Account, OfferingID: o, ParticipantID: p.ID})
			must(t, err)
			if seq == 4 {
				_, err := bk.Cancel(ctx, p.Account, res.Booking.ID)
				must(t, err)
				break
			}
		}
		c.people = append(c.people, p)
	}
	c.set(t, c.people[0].Identity, map[string]string{
		"blocked_until#evening_course#2025-autumn": "2025-12-31", "block_absences#evening_course#2025-autumn": "2",
		"because_of#evening_course#2025-autumn":    "earlier",
		"blocked_until#evening_course#2026-spring": "2026-06-30", "block_absences#evening_course#2026-spring": "2",
		"because_of#evening_course#2026-spring": "autumn",
	})
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func personKey(identity string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + identity},
		"SK": &types.AttributeValueMemberS{Value: "PERSON"}}
}

// set writes attributes straight onto a PERSON item.
func (c *city) set(t *testing.T, identity string, attrs map[string]string) {
	t.Helper()
	names, values, set := map[string]string{}, map[string]types.AttributeValue{}, ""
	i := 0
	for name, v := range attrs {
		names[fmt.Sprintf("#a%d", i)], values[fmt.Sprintf(":v%d", i)] = name, &types.AttributeValueMemberS{Value: v}
		if i > 0 {
			set += ", "
		}
		set += fmt.Sprintf("#a%d = :v%d", i, i)
		i++
	}
	_, err := c.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: &c.table, Key: personKey(identity),
		UpdateExpression: aws.String("SET " + set), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	must(t, err)
}

// state is what the people's PERSON items hold of offerings and blocks:
// "<person>:held#<offering>" and "<person>:blocked_until#<kind>#<term>".
func (c *city) state(t *testing.T) []string {
	t.Helper()
	var out []string
	for i, p := range c.people {
		got, err := c.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &c.table, Key: personKey(p.Identity), ConsistentRead: aws.Bool(true)})
		must(t, err)
		for name := range got.Item {
			for _, prefix := range []string{"held#", "blocked_until#", "block_absences#", "because_of#", "active#"} {
				if len(name) > len(prefix) && name[:len(prefix)] == prefix {
					out = append(out, fmt.Sprintf("%d:%s", i+1, name))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestRelease: the day after an offering ends, its holds leave its
// bookers' person items and not a day before; a live offering's stay; a
// hold that became another booking's stays; a block past its day leaves
// with a hold, a current one stays; the term counts stay; running again
// the same day, or the next, does nothing more.
func TestRelease(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	// The third person's hold of autumn names another booking now (as if
	// booked again meanwhile): it is not this booking's to remove.
	c.set(t, c.people[2].Identity, map[string]string{"held#autumn": "acc-3|bk_meanwhile"})
	counts := []string{"1:active#evening_course#2025-autumn", "2:active#evening_course#2025-autumn", "3:active#evening_course#2025-autumn", "4:active#evening_course#2025-autumn"}
	svc := &holds.Service{Store: c.st}
	for _, step := range []struct {
		day  string
		want holds.Result
		// left is what the items hold after, besides the term counts; nil:
		// what they held before (nothing done).
		left []string
	}{
		{"2025-12-31", holds.Result{Day: "2025-12-31"}, []string{
			"1:because_of#evening_course#2025-autumn", "1:because_of#evening_course#2026-spring",
			"1:block_absences#evening_course#2025-autumn", "1:block_absences#evening_course#2026-spring",
			"1:blocked_until#evening_course#2025-autumn", "1:blocked_until#evening_course#2026-spring",
			"1:held#autumn", "1:held#long", "2:held#autumn", "2:held#long", "3:held#autumn", "3:held#long"}},
		// autumn ended: two holds go, the one of another booking stays,
		// the block of 2025-autumn (its day past) goes.
		{"2026-01-01", holds.Result{Day: "2026-01-01", Offerings: 1, Bookings: 3, Released: 2, Kept: 1, Blocks: 1}, []string{
			"1:because_of#evening_course#2026-spring", "1:block_absences#evening_course#2026-spring", "1:blocked_until#evening_course#2026-spring",
			"1:held#long", "2:held#long", "3:held#autumn", "3:held#long"}},
		{"2026-01-01", holds.Result{Day: "2026-01-01"}, nil},
		{"2026-01-02", holds.Result{Day: "2026-01-02", Passed: 1}, nil},
		// long ended (and the block of 2026-spring still runs).
		{"2026-04-01", holds.Result{Day: "2026-04-01", Passed: 1, Offerings: 1, Bookings: 3, Released: 3}, []string{
			"1:because_of#evening_course#2026-spring", "1:block_absences#evening_course#2026-spring", "1:blocked_until#evening_course#2026-spring",
			"3:held#autumn"}},
		// autumn ended before the day reached less the lookback: not read.
		{"2026-07-01", holds.Result{Day: "2026-07-01", Passed: 1}, nil},
	} {
		want := c.state(t)
		if step.left != nil {
			want = slices.Sorted(slices.Values(append(slices.Clone(counts), step.left...)))
		}
		got, err := svc.Release(ctx, at(step.day), holds.MaxPerRun, quiet)
		must(t, err)
		if got != step.want {
			t.Errorf("%s: %+v, want %+v", step.day, got, step.want)
		}
		if s := c.state(t); !slices.Equal(s, want) {
			t.Errorf("%s: person items hold %v, want %v", step.day, s, want)
		}
	}
}

// TestReleaseBounded: a run stops at its bound and says there is more;
// the next takes the rest, from where the first stopped.
func TestReleaseBounded(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	svc := &holds.Service{Store: c.st}
	got, err := svc.Release(ctx, at("2026-04-01"), 1, quiet)
	if err != nil || got.Offerings != 1 || !got.More {
		t.Fatalf("first run: %+v %v; want 1 offering and more to do", got, err)
	}
	got, err = svc.Release(ctx, at("2026-04-01"), 1, quiet)
	if err != nil || got.Offerings != 1 || got.Bookings != 3 || got.More {
		t.Fatalf("second run: %+v %v; want the other offering", got, err)
	}
	if hs, err := c.st.HoldsOf(ctx, c.people[1].Identity); err != nil || len(hs) != 0 {
		t.Errorf("holds left: %v %v", hs, err)
	}
}

// TestReleaseInterruptedAtEveryStep: the pass over both offerings,
// interrupted at each write call (before it is sent, and landed with its
// answer lost) and run again as the next day's run would: the person
// items, the marks and the day reached end as an uninterrupted run left
// them.
func TestReleaseInterruptedAtEveryStep(t *testing.T) {
	c := newCity(t)
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "holds of 2 offerings", World: c.cfg, Scheduled: true,
		Start: dbtest.Again(func(ctx context.Context, st *store.Store) error {
			_, err := (&holds.Service{Store: st}).Release(ctx, at("2026-04-01"), holds.MaxPerRun, quiet)
			return err
		}),
	})
}
