package residents_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// uids are a calendar's events' UIDs and statuses, parsed back.
func uids(t *testing.T, text string) map[string]string {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range cal.Events() {
		out[e.Id()] = e.GetProperty(ics.ComponentPropertyStatus).Value + " " + e.GetProperty(ics.ComponentPropertyLocation).Value
	}
	return out
}

// TestCalendar: the account's confirmed sessions with the centre's
// address, a cancelled booking's marked cancelled, a place in line absent;
// ?booking_id= gives one booking's, and another account's booking is not
// found.
func TestCalendar(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("o1", 1)
	f.offering("o2", 5, func(o *domain.Offering) { o.Schedule.Sessions = []string{"2025-09-02"} })
	me, other := f.person("acc-1", 1), f.person("acc-2", 2)
	kept, err := f.book(me, "o1", false)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := f.book(me, "o2", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, "acc-1", gone.ID); err != nil {
		t.Fatal(err)
	}
	theirs, err := f.book(other, "o1", true) // waitlisted: o1 has one place
	if err != nil || theirs.Status != domain.BookingWaitlisted {
		t.Fatal(theirs.Status, err)
	}
	cal := &residents.Calendar{Store: f.st, Now: f.svc.Now}
	text, err := cal.Of(ctx, "acc-1", "")
	if err != nil {
		t.Fatal(err)
	}
	where := " " + f.centre.Name + " " + f.centre.Address
	got := uids(t, text)
	want := map[string]string{
		kept.ID + "-20250901@enrol.wuxi": "CONFIRMED" + where, kept.ID + "-20250908@enrol.wuxi": "CONFIRMED" + where,
		gone.ID + "-20250902@enrol.wuxi": "CANCELLED" + where,
	}
	if len(got) != len(want) {
		t.Errorf("events %v, want %v", got, want)
	}
	for uid, w := range want {
		if got[uid] != w {
			t.Errorf("%s: %q, want %q", uid, got[uid], w)
		}
	}
	one, err := cal.Of(ctx, "acc-1", gone.ID)
	if err != nil || len(uids(t, one)) != 1 {
		t.Fatalf("one booking's calendar: %v %v", uids(t, one), err)
	}
	if waiting, err := cal.Of(ctx, "acc-2", ""); err != nil || len(uids(t, waiting)) != 0 {
		t.Fatalf("a place in line only: %v %v", uids(t, waiting), err)
	}
	if _, err := cal.Of(ctx, "acc-2", kept.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another account's booking: %v, want not_found", err)
	}
}

// TestCalendarFeed: a feed's secret gives the account's calendar; a new
// feed's secret replaces it; revoking ends it, and so does deleting the
// account's items; a secret that is not one CreateFeed makes is not found
// without a read.
func TestCalendarFeed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("o1", 5)
	b, err := f.book(f.person("acc-1", 1), "o1", false)
	if err != nil {
		t.Fatal(err)
	}
	cal := &residents.Calendar{Store: f.st, Now: f.svc.Now}
	first, err := cal.CreateFeed(ctx, "acc-1")
	if err != nil || len(first) != 43 || strings.ContainsAny(first, "+/=") {
		t.Fatalf("secret %q %v, want 43 base64url characters", first, err)
	}
	text, err := cal.Feed(ctx, first)
	if err != nil || len(uids(t, text)) != 2 || !strings.Contains(text, b.ID) {
		t.Fatalf("the feed: %v\n%s", err, text)
	}
	second, err := cal.CreateFeed(ctx, "acc-1")
	if err != nil || second == first {
		t.Fatalf("a new feed %q %v", second, err)
	}
	notFound := func(what, secret string) {
		t.Helper()
		if _, err := cal.Feed(ctx, secret); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s: %v, want not_found", what, err)
		}
	}
	notFound("the replaced secret", first)
	if _, err := cal.Feed(ctx, second); err != nil {
		t.Fatalf("the new secret: %v", err)
	}
	notFound("a malformed secret", "x")
	notFound("a secret of another length", second[:40])
	if err := cal.RevokeFeed(ctx, "acc-1"); err != nil {
		t.Fatal(err)
	}
	if err := cal.RevokeFeed(ctx, "acc-1"); err != nil {
		t.Fatalf("revoking again: %v", err)
	}
	notFound("the revoked secret", second)
	third, err := cal.CreateFeed(ctx, "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.st.ReadAccount(ctx, "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteItems(ctx, a.Disposable); err != nil {
		t.Fatal(err)
	}
	notFound("the deleted account's secret", third)
}

// TestMessagePreferences: the default until chosen; a choice of the three
// channels, each once, is kept; anything else (none, an unknown channel, one
// twice) is validation_failed with the field named, and changes nothing.
func TestMessagePreferences(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := &residents.Messages{Store: f.st, Now: f.svc.Now}
	if chs, err := m.Preferences(ctx, "acc-1"); err != nil || strings.Join(chs, ",") != "sms" {
		t.Fatalf("never chosen: %v %v", chs, err)
	}
	if _, err := m.SetPreferences(ctx, "acc-1", []string{"wechat", "sms", "email"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		channels []string
		field    string
	}{
		{nil, "channels"},
		{[]string{}, "channels"},
		{[]string{"sms", "fax"}, "channels[1]"},
		{[]string{"email", "email"}, "channels[1]"},
		{[]string{"SMS"}, "channels[0]"},
	} {
		_, err := m.SetPreferences(ctx, "acc-1", bad.channels)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.ValidationFailed || len(e.Fields) != 1 || e.Fields[0].Field != bad.field {
			t.Errorf("%q: %v, want validation_failed on %s", bad.channels, err, bad.field)
		}
	}
	if chs, err := m.Preferences(ctx, "acc-1"); err != nil || strings.Join(chs, ",") != "wechat,sms,email" {
		t.Fatalf("after refusals: %v %v", chs, err)
	}
}

// TestCalendarCallBudget: a calendar is one Query of the account's
// bookings and one BatchGetItem each of their offerings and centres; a
// feed adds the GetItem of its lookup.
func TestCalendarCallBudget(t *testing.T) {
	f := newFixture(t)
	f.offering("o1", 5)
	f.offering("o2", 5)
	p := f.person("acc-1", 1)
	for _, o := range []string{"o1", "o2"} {
		if _, err := f.book(p, o, false); err != nil {
			t.Fatal(err)
		}
	}
	cal := &residents.Calendar{Store: f.st, Now: f.svc.Now}
	secret, err := cal.CreateFeed(context.Background(), "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		run  func(context.Context) (string, error)
		want string
	}{
		"calendar": {func(ctx context.Context) (string, error) { return cal.Of(ctx, "acc-1", "") }, "map[BatchGetItem:2 Query:1]"},
		"feed":     {func(ctx context.Context) (string, error) { return cal.Feed(ctx, secret) }, "map[BatchGetItem:2 GetItem:1 Query:1]"},
	} {
		ctx, tally := dbcalls.With(context.Background())
		if _, err := c.run(ctx); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tally.Snapshot()); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
}
