package local

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/infra/datadir"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/seed"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// What the stack keeps in its data folder (Options.DataDir; make run's
// ENROL_DATA, by default build/local-data): the embedded DynamoDB's
// snapshot and journal, the KMS stand-in's two keys, the token issuer's
// signing key, the users DELETE /v1/me removed from the pool and the
// pool's users' groups and attributes (staff invitations), the clock,
// and whether the folder was set up (with the demo data or without).
const (
	DefaultDataDir  = "build/local-data"
	dynamoDBDir     = "dynamodb"
	kmsKeysFile     = "kms-keys.json"
	signingKeyFile  = "token-signing-key.pem"
	deletedFile     = "cognito-deleted-users.json"
	usersFile       = "cognito-users.json" // groups, numbers, attributes: invited staff's centres
	clockFile       = "clock.json"
	setupFile       = "setup.json"
	noDataDirMarker = "none" // ENROL_DATA=none: keep nothing, as before
)

// dataFolder is the stack's hold on its folder.
type dataFolder struct {
	dir    string
	unlock func() error
	mu     sync.Mutex // orders the clock's saves
}

func (d *dataFolder) path(name string) string { return filepath.Join(d.dir, name) }

// openDataFolder takes dir's lock and, with fresh, empties it first.
func openDataFolder(dir string, fresh bool, progress func(string, ...any)) (*dataFolder, error) {
	unlock, err := datadir.Lock(dir)
	if err != nil {
		return nil, err
	}
	if fresh {
		progress("ENROL_FRESH: 清空数据目录 %s，重新开始 / wiping the data folder %s to start afresh", dir, dir)
		if err := datadir.Wipe(dir); err != nil {
			unlock()
			return nil, fmt.Errorf("wiping %s: %w", dir, err)
		}
	}
	return &dataFolder{dir: dir, unlock: unlock}, nil
}

// setupState is setup.json: written once the folder's first start has made the
// table and, when asked, seeded it. Without it a start sets the folder up
// (again: a seed a crash cut short is finished, seed.Run finding what it
// had written).
type setupState struct {
	DemoData bool         `json:"demo_data"`
	Seeded   seed.Summary `json:"seeded"`
}

func (d *dataFolder) setup() (*setupState, error) {
	b, err := datadir.ReadFile(d.path(setupFile))
	if b == nil || err != nil {
		return nil, err
	}
	var s setupState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", d.path(setupFile), err)
	}
	return &s, nil
}

func (d *dataFolder) saveSetup(s setupState) error {
	b, _ := json.Marshal(s)
	return datadir.WriteFile(d.path(setupFile), b)
}

// clockState is clock.json. The stack's clock is data like the rest: a
// restart continues it rather than setting it back. With ENROL_NOW the
// clock runs from that instant at the folder's first start, and a restart
// with the same ENROL_NOW goes on where it would be had the stack kept
// running (the wall clock's time since, added), so tokens and bookings made
// before are not in the future; a different ENROL_NOW starts the clock
// anew there. /_local/clock's moves are kept too: a deadline passed by
// moving the clock stays passed.
type clockState struct {
	// NowAt is the ENROL_NOW the clock was started from (zero: the wall
	// clock), FromWall how far ahead of the wall clock that put it.
	NowAt    time.Time     `json:"enrol_now,omitzero"`
	FromWall time.Duration `json:"from_wall_ns"`
	Moved    time.Duration `json:"moved_ns"`
}

// restoreClock gives clk the clock the folder kept, when it was started
// from the same ENROL_NOW (nowAt), and records it otherwise.
func (d *dataFolder) restoreClock(clk *movedClock, nowAt time.Time, progress func(string, ...any)) error {
	b, err := datadir.ReadFile(d.path(clockFile))
	if err != nil {
		return err
	}
	var saved clockState
	if b != nil {
		if err := json.Unmarshal(b, &saved); err != nil {
			return fmt.Errorf("%s: %w", d.path(clockFile), err)
		}
		if saved.NowAt.Equal(nowAt) {
			if !nowAt.IsZero() {
				clk.base = clock.From(time.Now().Add(saved.FromWall).In(nowAt.Location()))
			}
			clk.by.Store(int64(saved.Moved))
			if saved.Moved != 0 || !nowAt.IsZero() {
				progress("时钟接续上次 / the clock goes on from the last run: %s", clk.now().In(domain.CityZone).Format(time.RFC3339))
			}
			return nil
		}
		progress("ENROL_NOW 与上次不同，时钟从新的时刻开始 / ENROL_NOW differs from the last run's: the clock starts anew at %s", nowAt.In(domain.CityZone).Format(time.RFC3339))
	}
	return d.saveClock(clk, nowAt)
}

// saveClock records the clock (at its start and after every move).
func (d *dataFolder) saveClock(clk *movedClock, nowAt time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := clockState{NowAt: nowAt, Moved: time.Duration(clk.by.Load())}
	if !nowAt.IsZero() {
		s.FromWall = time.Until(clk.base())
	}
	b, _ := json.Marshal(s)
	return datadir.WriteFile(d.path(clockFile), b)
}

// loadedLine says what the embedded DynamoDB found in the folder and how
// long loading it took.
func loadedLine(ld *localdb.Loaded) string {
	if ld.Tables == 0 {
		return "数据目录为新 / a new data folder"
	}
	return fmt.Sprintf("载入 / loaded %d tables, %d items (snapshot %.1f MB + %d journal records, %.1f MB) in %s",
		ld.Tables, ld.Items, float64(ld.SnapshotBytes)/1e6, ld.Replayed, float64(ld.JournalBytes)/1e6, ld.Total.Round(time.Millisecond))
}
