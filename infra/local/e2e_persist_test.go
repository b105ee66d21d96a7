package local_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// persistAt is the instant the persistence tests' clocks start from, so
// they pass on any date.
var persistAt = time.Date(2031, 3, 4, 10, 0, 0, 0, domain.CityZone)

// inFolder keeps the stack's data in dir, on a clock started from
// persistAt as ENROL_NOW starts it, on the embedded DynamoDB whichever the
// other tests use (make test-fidelity's moto keeps its own data).
func inFolder(dir string) func(*local.Options) {
	return func(o *local.Options) {
		o.DataDir, o.Now, o.NowAt = dir, clock.From(persistAt), persistAt
		o.DynamoDBEndpoint, o.TableName = "", ""
	}
}

// TestDataOutlivesARestart: a stack on a data folder is closed and started
// again on it (at the same address, its issuer): the token issued before
// still works, the booking is there, the participant's sealed personal
// fields open (the same KMS keys), a user deleted from the pool stays
// deleted, the clock's move is kept, and nothing was seeded again.
func TestDataOutlivesARestart(t *testing.T) {
	dir := t.TempDir()
	e := start(t, inFolder(dir))
	e.offering("kept", 5)
	tok, pid, _ := e.resident("resident-kept")
	booked := e.book(tok, "kept", pid, false, "Idempotency-Key", "kept-1")
	e.expect(booked, 201, "")
	gone := e.token("resident-gone", "residents")
	e.expect(e.do("DELETE", "/v1/me", gone, nil), 204, "")
	e.expect(e.do("POST", "/_local/clock", "", map[string]any{"advance_seconds": 3600}), 200, "")
	// A second stack on the same folder stops at once.
	if other, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0", DataDir: dir}); err == nil || !strings.Contains(err.Error(), "in use") {
		if other != nil {
			other.Close()
		}
		t.Errorf("a second stack on the folder in use: %v", err)
	}
	before := e.st.Now()
	addr := strings.TrimPrefix(e.st.URL, "http://")
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}

	e = start(t, inFolder(dir), func(o *local.Options) { o.Addr = addr })
	ld := e.st.Loaded
	t.Logf("restart: %d tables, %d items, %d journal records replayed, loaded in %s", ld.Tables, ld.Items, ld.Replayed, ld.Total.Round(time.Millisecond))
	if !e.st.Restarted || ld.Items == 0 || ld.Replayed == 0 {
		t.Errorf("restarted %v, loaded %+v: want the folder's data", e.st.Restarted, ld)
	}
	if now := e.st.Now(); now.Before(before) || now.Sub(before) > time.Hour {
		t.Errorf("the clock reads %s after the restart, %s before it", now, before)
	}
	mine := e.do("GET", "/v1/me/bookings", tok, nil)
	e.expect(mine, 200, "")
	if !bytes.Contains(mine.body, []byte(booked.str("id"))) {
		t.Errorf("the booking %s is not in GET /v1/me/bookings after the restart: %s", booked.str("id"), mine.body)
	}
	people := e.do("GET", "/v1/me/participants", tok, nil)
	e.expect(people, 200, "")
	if !bytes.Contains(people.body, []byte("测试居民")) {
		t.Errorf("the participant's name does not open after the restart: %s", people.body)
	}
	if _, err := e.st.Token("resident-gone", []string{"residents"}); err == nil {
		t.Error("a user deleted before the restart can sign in again")
	}
	// The same request again is answered from what was kept, not booked anew.
	again := e.book(tok, "kept", pid, false, "Idempotency-Key", "kept-1")
	if again.status != 200 || again.str("id") != booked.str("id") {
		t.Errorf("the retried booking answered %d %s, want 200 with %s", again.status, again.body, booked.str("id"))
	}
}

// TestFreshWipesTheFolder: Fresh (make run FRESH=1) empties the folder
// before starting: the old data, keys and tokens are gone.
func TestFreshWipesTheFolder(t *testing.T) {
	dir := t.TempDir()
	e := start(t, inFolder(dir))
	e.offering("old", 5)
	tok, pid, _ := e.resident("resident-old")
	e.expect(e.book(tok, "old", pid, false), 201, "")
	oldKeys, err := os.ReadFile(filepath.Join(dir, "kms-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(e.st.URL, "http://")
	e.st.Close()

	e = start(t, inFolder(dir), func(o *local.Options) { o.Addr, o.Fresh = addr, true })
	if e.st.Restarted || e.st.Loaded.Tables != 0 {
		t.Errorf("a fresh start found data: restarted %v, loaded %+v", e.st.Restarted, e.st.Loaded)
	}
	if keys, _ := os.ReadFile(filepath.Join(dir, "kms-keys.json")); len(keys) == 0 || bytes.Equal(keys, oldKeys) {
		t.Error("a fresh start kept the KMS keys")
	}
	e.expect(e.do("GET", "/v1/me/bookings", tok, nil), 401, "")
	if _, err := e.st.Store.GetOffering(context.Background(), "old"); err == nil {
		t.Error("the offering written before the fresh start is still there")
	}
}

// TestGetenvDataFolder: ENROL_DATA, ENROL_FRESH and ENROL_SEED as make run
// reads them.
func TestGetenvDataFolder(t *testing.T) {
	for _, c := range []struct {
		data, fresh, seed string
		dir               string
		isFresh, seeds    bool
		bad               bool
	}{
		{dir: local.DefaultDataDir, seeds: true},
		{data: "/tmp/x", fresh: "1", dir: "/tmp/x", isFresh: true, seeds: true},
		{data: "none", seed: "0", dir: ""},
		{fresh: "maybe", bad: true},
	} {
		t.Setenv("ENROL_DATA", c.data)
		t.Setenv("ENROL_FRESH", c.fresh)
		t.Setenv("ENROL_SEED", c.seed)
		o, err := local.Getenv()
		if (err != nil) != c.bad {
			t.Errorf("%+v: error %v", c, err)
			continue
		}
		if !c.bad && (o.DataDir != c.dir || o.Fresh != c.isFresh || o.Seed != c.seeds) {
			t.Errorf("%+v: got dir %q fresh %v seed %v", c, o.DataDir, o.Fresh, o.Seed)
		}
	}
}
