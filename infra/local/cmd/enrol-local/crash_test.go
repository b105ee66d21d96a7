package main

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
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

// crashAt is the instant the stacks' clocks start from (ENROL_NOW), so the
// test passes on any date.
var crashAt = time.Date(2031, 3, 4, 10, 0, 0, 0, domain.CityZone)

// TestCrashLosesNothingAcknowledged: make run's binary on a data folder is
// killed (SIGKILL) in the middle of a burst of bookings and started again
// on the folder: every booking it had answered 201 is there. (Here, not in
// infra/local's end-to-end tests, so that it runs beside the other
// packages' tests in make test.)
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	const n = 120
	// make run's binary, built meanwhile (with the race detector, as make
	// test has built every package it needs).
	tBuild := time.Now()
	bin := filepath.Join(t.TempDir(), "enrol-local")
	build := exec.Command("go", "build", "-race", "-o", bin, ".")
	var buildOut bytes.Buffer
	build.Stdout, build.Stderr = &buildOut, &buildOut
	if err := build.Start(); err != nil {
		t.Fatal(err)
	}
	built := make(chan time.Duration, 1)
	go func() { _ = build.Wait(); built <- time.Since(tBuild) }()

	tFixtures := time.Now()
	people := fixtures(t, dir, n)
	fixtureTime := time.Since(tFixtures)
	buildTime := <-built
	if !build.ProcessState.Success() {
		t.Fatalf("building enrol-local: %s\n%s", build.ProcessState, buildOut.Bytes())
	}
	port := freePort(t)
	url := "http://127.0.0.1:" + port
	run := func(log string) *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Dir = t.TempDir() // no web/dist there: the API alone
		cmd.Env = append(os.Environ(), "PORT="+port, "ENROL_DATA="+dir, "ENROL_NOW="+crashAt.Format(time.RFC3339), "ENROL_SEED=0", "ENROL_FRESH=0")
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
	// No booking half-written: the offering's counters equal its roster.
	status, body, err := send(client, "GET", url+"/v1/offerings/burst/roster", mint(t, client, url, "staff-1", "centre-staff", "c-binhu-1"), nil)
	var roster struct {
		Offering struct{ Confirmed, Waitlisted int }
		Items    []struct{ Status string }
	}
	if err != nil || status != 200 || json.Unmarshal(body, &roster) != nil {
		t.Fatalf("the roster after the restart: %d %s %v", status, body, err)
	}
	byStatus := map[string]int{}
	for _, it := range roster.Items {
		byStatus[it.Status]++
	}
	if byStatus["confirmed"] != roster.Offering.Confirmed || byStatus["waitlisted"] != roster.Offering.Waitlisted || len(roster.Items) < len(acked) {
		t.Errorf("after the restart the offering counts %d confirmed and %d waitlisted, its roster %v (%d bookings answered 201)",
			roster.Offering.Confirmed, roster.Offering.Waitlisted, byStatus, len(acked))
	}
	dbtest.Figure(t, "crash mid-burst: %d bookings sent, %d answered 201 before SIGKILL (%s), %d found after the restart (up again in %s), %d lost; %d on the roster (%d landed unanswered), counters equal to it; fixtures %s, build %s",
		n, len(acked), burst.Round(time.Millisecond), found, restart.Round(time.Millisecond), lost, len(roster.Items), len(roster.Items)-found,
		fixtureTime.Round(time.Millisecond), buildTime.Round(time.Millisecond))
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

// mint asks the stack for a token (POST /_local/token): a resident's, or
// with group and centres, another's.
func mint(t *testing.T, client *http.Client, url, sub string, groupAndCentres ...string) string {
	t.Helper()
	req := map[string]any{"sub": sub, "groups": []string{"residents"}}
	if len(groupAndCentres) > 0 {
		req["groups"], req["centre_ids"] = groupAndCentres[:1], groupAndCentres[1:]
	}
	status, body, err := send(client, "POST", url+"/_local/token", "", req)
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

// resident is a booker of the burst: an account and its participant.
type resident struct{ sub, p string }

// fixtures writes, with a stack in this process on the data folder dir,
// a centre, offering "burst" (40 places) and n residents, each with a
// participant registered through the API.
func fixtures(t *testing.T, dir string, n int) []resident {
	t.Helper()
	ctx := context.Background()
	st, err := local.Start(ctx, local.Options{Addr: "127.0.0.1:0", DataDir: dir, Now: clock.From(crashAt), NowAt: crashAt})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	centre := dbtest.Centre("c-binhu-1", "binhu")
	if err := st.Store.PutCentre(ctx, centre, false); err != nil {
		t.Fatal(err)
	}
	if err := st.Store.PutOffering(ctx, dbtest.Offering("burst", centre, 40, st.Now()), false); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: time.Minute}
	people := make([]resident, n)
	for i := range people {
		people[i].sub = fmt.Sprintf("crash-%03d", i)
		tok, err := st.Token(people[i].sub, []string{"residents"})
		if err != nil {
			t.Fatal(err)
		}
		birth := time.Date(1990, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, domain.CityZone)
		status, body, err := send(client, "POST", st.URL+"/v1/me/participants", tok, map[string]any{
			"name": fmt.Sprintf("测试居民%d", i), "birth_date": birth.Format(domain.DateLayout), "id_number": idnumber.Make("320211", birth, i),
		})
		var p struct{ ID string }
		if err != nil || status != 201 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("registering %s: %d %s %v", people[i].sub, status, body, err)
		}
		people[i].p = p.ID
	}
	return people
}
