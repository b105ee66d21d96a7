package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
// persistAt as ENROL_NOW starts it.
func inFolder(dir string) func(*local.Options) {
	return func(o *local.Options) { o.DataDir, o.Now, o.NowAt = dir, clock.From(persistAt), persistAt }
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

// TestCrashLosesNothingAcknowledged: make run's binary on a data folder is
// killed (SIGKILL) in the middle of a burst of bookings and started again
// on the folder: every booking it had answered 201 is there.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	// The fixtures, written by a stack in this process on the same folder:
	// an offering and the residents' participants.
	const n = 120
	e := start(t, inFolder(dir))
	e.offering("burst", 40)
	type who struct{ sub, p string }
	people := make([]who, n)
	for i := range people {
		people[i].sub = fmt.Sprintf("crash-%03d", i)
		_, people[i].p, _ = e.resident(people[i].sub)
	}
	e.st.Close()

	bin := filepath.Join(t.TempDir(), "enrol-local")
	build := exec.Command("go", "build", "-race", "-o", bin, "./cmd/enrol-local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building enrol-local: %v\n%s", err, out)
	}
	port := freePort(t)
	url := "http://127.0.0.1:" + port
	run := func(log string) *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Dir = t.TempDir() // no web/dist there: the API alone
		cmd.Env = append(os.Environ(), "PORT="+port, "ENROL_DATA="+dir, "ENROL_NOW="+persistAt.Format(time.RFC3339), "ENROL_SEED=0", "ENROL_FRESH=0")
		f, err := os.Create(filepath.Join(t.TempDir(), log))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = io.Discard, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); f.Close() })
		waitHealthy(t, url, cmd, f.Name())
		return cmd
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
	first := run("first.log")

	tokens := make([]string, n)
	for i, p := range people {
		tokens[i] = mint(t, client, url, p.sub)
	}
	var (
		answered atomic.Int64
		mu       sync.Mutex
		acked    = map[int]string{} // resident → booking id answered 201
		killed   sync.Once
		wg       sync.WaitGroup
	)
	gate := make(chan struct{})
	t0 := time.Now()
	for i := range people {
		wg.Go(func() {
			<-gate
			status, body, err := send(client, "POST", url+"/v1/offerings/burst/bookings", tokens[i],
				map[string]any{"participant_id": people[i].p, "join_waitlist": true}, "Idempotency-Key", fmt.Sprintf("crash-%d", i))
			if err != nil || status != 201 {
				return // killed before it was answered (or refused): not acknowledged
			}
			var b struct{ ID string }
			_ = json.Unmarshal(body, &b)
			mu.Lock()
			acked[i] = b.ID
			mu.Unlock()
			// A third of the burst answered: kill the stack mid-burst.
			if answered.Add(1) == n/3 {
				killed.Do(func() { _ = first.Process.Signal(syscall.SIGKILL) })
			}
		})
	}
	close(gate)
	wg.Wait()
	killed.Do(func() { _ = first.Process.Signal(syscall.SIGKILL) }) // had the burst ended first
	_ = first.Wait()
	burst := time.Since(t0)
	mu.Lock()
	defer mu.Unlock()

	t1 := time.Now()
	run("second.log")
	restart := time.Since(t1)
	found, lost := 0, 0
	for i, id := range acked {
		status, body, err := send(client, "GET", url+"/v1/me/bookings/"+id, tokens[i], nil)
		switch {
		case err != nil:
			t.Fatal(err)
		case status == 200:
			found++
		default:
			lost++
			t.Errorf("booking %s of %s was answered 201 before the crash; after it: %d %s", id, people[i].sub, status, body)
		}
	}
	t.Logf("crash mid-burst: %d bookings sent, %d answered 201 before SIGKILL (%s), %d found after the restart (up again in %s), %d lost",
		n, len(acked), burst.Round(time.Millisecond), found, restart.Round(time.Millisecond), lost)
	if len(acked) == 0 || len(acked) == n {
		t.Errorf("%d of %d bookings answered: the kill did not land in the middle of the burst", len(acked), n)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// waitHealthy waits until the stack answers /_local/health 200, failing
// with its log if it stops or takes over two minutes.
func waitHealthy(t *testing.T, url string, cmd *exec.Cmd, log string) {
	t.Helper()
	exited := make(chan struct{})
	go func() { _, _ = cmd.Process.Wait(); close(exited) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/_local/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(log)
			t.Fatalf("enrol-local stopped:\n%s", b)
		case <-time.After(100 * time.Millisecond):
		}
	}
	b, _ := os.ReadFile(log)
	t.Fatalf("enrol-local was not up in 2 minutes:\n%s", b)
}

// mint asks the stack for a resident's token (POST /_local/token).
func mint(t *testing.T, client *http.Client, url, sub string) string {
	t.Helper()
	status, body, err := send(client, "POST", url+"/_local/token", "", map[string]any{"sub": sub, "groups": []string{"residents"}})
	if err != nil || status != 200 {
		t.Fatalf("minting a token: %d %s %v", status, body, err)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		t.Fatalf("minting a token: %s", body)
	}
	return out.Token
}

func send(client *http.Client, method, url, token string, body any, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for h := range slices.Chunk(headers, 2) {
		req.Header.Set(h[0], h[1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}
