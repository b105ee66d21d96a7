package localdb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	miniserver "github.com/truora/minidyn/server"
	"github.com/wuxi-enrol/enrol/infra/datadir"
	"github.com/wuxi-enrol/enrol/infra/loopback"
)

// Data kept in a folder (Open): a snapshot of every table (its schema
// requests and all its items) and a journal of every write acknowledged
// since, both numbered by generation: snapshot.<n>.jsonl, journal.<n>.log.
//
// Each write that changed something is appended to the journal, one
// write(2) per request, before its answer goes back, under a lock held
// around applying it and appending it, so the journal's order is the order
// the server applied them (minidyn runs one operation at a time anyway).
// There is no fsync per write: a record handed to the kernel survives the
// process being killed (SIGKILL, a panic), which is what a local stack
// meets; surviving the machine losing power would cost a disk flush per
// booking, serialised under that lock (milliseconds each on ordinary disks),
// for a stack whose data is demo data. Snapshots are fsynced before they
// are renamed into place, so a compaction never leaves a torn snapshot.
//
// Replaying a request gives the same result it gave: minidyn's writes are
// deterministic given the items (no clocks, no random ids), and the guard's
// repairs are part of the request's path, so they are replayed too.
const (
	snapshotPrefix = "snapshot."
	snapshotSuffix = ".jsonl"
	journalPrefix  = "journal."
	journalSuffix  = ".log"
	snapshotFormat = "enrol-localdb-snapshot/1"
	// batchItems is the items of a snapshot line: one BatchWriteItem.
	batchItems = 25
)

// journaledOps are the requests that can change the data.
var journaledOps = map[string]bool{
	"PutItem": true, "UpdateItem": true, "DeleteItem": true, "TransactWriteItems": true, "BatchWriteItem": true,
	"CreateTable": true, "UpdateTable": true, "DeleteTable": true,
}

// Loaded is what Open found in its folder and how long each step took.
type Loaded struct {
	Generation    int   // of the snapshot and journal now in use
	Tables, Items int   // in the data after loading
	SnapshotBytes int64 // of the snapshot read (0: none)
	Replayed      int   // journal records applied after the snapshot
	JournalBytes  int64
	TornBytes     int64  // at the journal's end, ignored (a crash cut the record)
	TornNote      string // says so, for the log; "" when none
	Snapshot      time.Duration
	Replay        time.Duration
	Compact       time.Duration // writing the new snapshot (0: none needed)
	Compacted     bool          // a new snapshot was written
	Total         time.Duration
}

// journaled stands in front of the guard: it applies a write and appends it
// to the journal under one lock; reads go straight to the guard.
type journaled struct {
	g   *guard
	dir string

	mu sync.Mutex
	f  *os.File
	// err, once a journal write failed: every later write is refused, since
	// it could not be kept.
	err error
	// schemas are, by table, the CreateTable and UpdateTable requests that
	// made it as it is: a snapshot holds them to make the table again.
	schemas map[string][]schemaReq
}

type schemaReq struct {
	Op   string          `json:"op"`
	Body json.RawMessage `json:"body"`
}

// Open serves minidyn behind the guard on addr, as Start does, with its
// data kept in dir (made if missing): what an earlier server there had
// acknowledged is loaded first (the newest snapshot, then the journal),
// written as a new snapshot when the journal held anything, and every write
// from now on is journaled.
func Open(addr, dir string) (*Server, *Loaded, error) {
	t0 := time.Now()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	j := &journaled{g: newGuard(miniserver.NewServer()), dir: dir, schemas: map[string][]schemaReq{}}
	ld, err := j.load()
	if err != nil {
		return nil, nil, fmt.Errorf("localdb: loading %s: %w", dir, err)
	}
	ld.Total = time.Since(t0)
	url, srv, err := loopback.Serve(addr, j)
	if err != nil {
		j.f.Close()
		return nil, nil, err
	}
	return &Server{URL: url, srv: srv, journal: j}, ld, nil
}

// generations lists the generations of the files named prefix<n>suffix in
// dir, newest first.
func generations(dir, prefix, suffix string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var gens []int
	for _, e := range entries {
		mid, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, suffix); !ok {
			continue
		}
		if n, err := strconv.Atoi(mid); err == nil && n > 0 {
			gens = append(gens, n)
		}
	}
	slices.Sort(gens)
	slices.Reverse(gens)
	return gens, nil
}

func (j *journaled) path(prefix string, gen int, suffix string) string {
	return filepath.Join(j.dir, prefix+strconv.Itoa(gen)+suffix)
}

// load reads the newest snapshot and its journal, compacts when the journal
// held anything, and opens the journal to append to.
func (j *journaled) load() (*Loaded, error) {
	ld := &Loaded{}
	gens, err := generations(j.dir, snapshotPrefix, snapshotSuffix)
	if err != nil {
		return nil, err
	}
	gen := 0
	if len(gens) > 0 {
		gen = gens[0]
		t := time.Now()
		if ld.SnapshotBytes, ld.Items, err = j.readSnapshot(j.path(snapshotPrefix, gen, snapshotSuffix)); err != nil {
			return nil, err
		}
		ld.Snapshot = time.Since(t)
	}
	t := time.Now()
	if err := j.replay(j.path(journalPrefix, gen, journalSuffix), ld); err != nil {
		return nil, err
	}
	ld.Replay = time.Since(t)
	if gen == 0 || ld.JournalBytes > 0 {
		// A new snapshot holds what the journal added, and the next
		// generation's journal starts empty; the old files go once it is
		// in place (a crash before that leaves them, unread: the newest
		// snapshot wins).
		t := time.Now()
		if ld.Items, err = j.writeSnapshot(j.path(snapshotPrefix, gen+1, snapshotSuffix)); err != nil {
			return nil, err
		}
		gen++
		ld.Compact, ld.Compacted = time.Since(t), true
	}
	if j.f, err = os.OpenFile(j.path(journalPrefix, gen, journalSuffix), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
		return nil, err
	}
	if err := j.removeOthers(gen); err != nil {
		j.f.Close()
		return nil, err
	}
	ld.Generation, ld.Tables = gen, len(j.schemas)
	return ld, nil
}

// removeOthers deletes every snapshot and journal but generation gen's,
// and snapshots left half-written.
func (j *journaled) removeOthers(gen int) error {
	entries, err := os.ReadDir(j.dir)
	if err != nil {
		return err
	}
	keep := map[string]bool{filepath.Base(j.path(snapshotPrefix, gen, snapshotSuffix)): true, filepath.Base(j.path(journalPrefix, gen, journalSuffix)): true}
	for _, e := range entries {
		name := e.Name()
		ours := strings.HasPrefix(name, snapshotPrefix) || strings.HasPrefix(name, journalPrefix)
		if ours && !keep[name] {
			if err := os.Remove(filepath.Join(j.dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ServeHTTP journals what changes data; reads go straight to the guard.
func (j *journaled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	if !journaledOps[op] {
		j.g.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	j.mu.Lock()
	if j.err != nil {
		j.mu.Unlock()
		writeServerError(w, j.err)
		return
	}
	rec := j.apply(op, body)
	// A BatchWriteItem minidyn refuses may have written part of its items
	// (it writes them one by one): it is kept too, and replays the same way.
	if rec.status == http.StatusOK || op == "BatchWriteItem" {
		if err := j.append(op, body); err != nil {
			j.err = fmt.Errorf("localdb: the journal could not be written, so nothing more is accepted: %w", err)
			j.mu.Unlock()
			writeServerError(w, j.err)
			return
		}
	}
	j.mu.Unlock()
	rec.copyTo(w)
}

// apply runs one request through the guard and follows the tables' schemas.
func (j *journaled) apply(op string, body []byte) *recorder {
	rec := run(j.g, op, body)
	if rec.status != http.StatusOK {
		return rec
	}
	switch op {
	case "CreateTable", "UpdateTable", "DeleteTable":
		var in struct{ TableName string }
		if json.Unmarshal(body, &in) != nil {
			break
		}
		if op == "DeleteTable" {
			delete(j.schemas, in.TableName)
			break
		}
		if op == "CreateTable" {
			j.schemas[in.TableName] = nil
		}
		j.schemas[in.TableName] = append(j.schemas[in.TableName], schemaReq{Op: op, Body: append(json.RawMessage(nil), body...)})
	}
	return rec
}

// A journal record: the payload's length and CRC-32C, then the payload
// (the operation's name, a newline, the request body).
const recordHeader = 8

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// append writes one record with one write(2), so a crash leaves at most
// the last record torn.
func (j *journaled) append(op string, body []byte) error {
	payload := make([]byte, 0, len(op)+1+len(body))
	payload = append(append(append(payload, op...), '\n'), body...)
	rec := make([]byte, recordHeader, recordHeader+len(payload))
	binary.BigEndian.PutUint32(rec, uint32(len(payload)))
	binary.BigEndian.PutUint32(rec[4:], crc32.Checksum(payload, crcTable))
	_, err := j.f.Write(append(rec, payload...))
	return err
}

// replay applies the journal at path (none: nothing to do). A record cut
// short or failing its checksum ends it: a crash cut the last append, whose
// request was never answered.
func (j *journaled) replay(path string, ld *Loaded) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ld.JournalBytes = int64(len(data))
	at := 0
	for at < len(data) {
		rest := data[at:]
		if len(rest) < recordHeader {
			break
		}
		n := int(binary.BigEndian.Uint32(rest))
		if len(rest)-recordHeader < n || crc32.Checksum(rest[recordHeader:recordHeader+n], crcTable) != binary.BigEndian.Uint32(rest[4:]) {
			break
		}
		op, body, ok := bytes.Cut(rest[recordHeader:recordHeader+n], []byte{'\n'})
		if !ok || !journaledOps[string(op)] {
			break
		}
		j.apply(string(op), body)
		ld.Replayed++
		at += recordHeader + n
	}
	if torn := len(data) - at; torn > 0 {
		ld.TornBytes = int64(torn)
		ld.TornNote = fmt.Sprintf("日志末尾 %d 字节不完整，已忽略（崩溃时正在写入，其请求未获应答）/ ignored the journal's last %d bytes after %d whole records: a torn record (a crash cut its write; its request was never answered)", torn, torn, ld.Replayed)
	}
	return nil
}

// snapshotHead is a snapshot's first line.
type snapshotHead struct {
	Format string          `json:"format"`
	Tables []snapshotTable `json:"tables"`
}

type snapshotTable struct {
	Name   string      `json:"name"`
	Schema []schemaReq `json:"schema"`
}

// snapshotLine is every later line: a batch of one table's items, or the
// end, which names how many items came before it.
type snapshotLine struct {
	Table string `json:"table,omitempty"`
	Items []item `json:"items,omitempty"`
	End   *int   `json:"end,omitempty"`
}

// writeSnapshot writes every table to path, whole or not at all; it
// returns how many items it holds.
func (j *journaled) writeSnapshot(path string) (int, error) {
	total := 0
	err := datadir.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		head := snapshotHead{Format: snapshotFormat}
		for _, name := range slices.Sorted(maps.Keys(j.schemas)) {
			head.Tables = append(head.Tables, snapshotTable{Name: name, Schema: j.schemas[name]})
		}
		if err := enc.Encode(head); err != nil {
			return err
		}
		for _, t := range head.Tables {
			items, err := j.scan(t.Name)
			if err != nil {
				return err
			}
			for chunk := range slices.Chunk(items, batchItems) {
				if err := enc.Encode(snapshotLine{Table: t.Name, Items: chunk}); err != nil {
					return err
				}
			}
			total += len(items)
		}
		return enc.Encode(snapshotLine{End: &total})
	})
	return total, err
}

// readSnapshot makes the tables of the snapshot at path and puts its items,
// straight into minidyn: new items in new tables are what it gets right.
// It returns the snapshot's size and how many items it held.
func (j *journaled) readSnapshot(path string) (size int64, items int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var head snapshotHead
	if err := dec.Decode(&head); err != nil || head.Format != snapshotFormat {
		return 0, 0, fmt.Errorf("%s is not a snapshot (%s): %v", path, snapshotFormat, err)
	}
	for _, t := range head.Tables {
		for _, s := range t.Schema {
			if rec := j.apply(s.Op, s.Body); rec.status != http.StatusOK {
				return 0, 0, fmt.Errorf("%s: %s of %s: %s", path, s.Op, t.Name, rec.body.Bytes())
			}
		}
	}
	n := 0
	for {
		var line snapshotLine
		if err := dec.Decode(&line); err != nil {
			return 0, 0, fmt.Errorf("%s: cut short after %d items (%v)", path, n, err)
		}
		if line.End != nil {
			if *line.End != n {
				return 0, 0, fmt.Errorf("%s: holds %d items, its end says %d", path, n, *line.End)
			}
			// The items went straight to minidyn: the guard's copy, which
			// answers Query, reads them once from there.
			for _, t := range head.Tables {
				items, err := j.scan(t.Name)
				if err != nil {
					return 0, 0, err
				}
				j.g.copyIn(t.Name, items)
			}
			return info.Size(), n, nil
		}
		puts := make([]map[string]map[string]item, len(line.Items))
		for i, it := range line.Items {
			puts[i] = map[string]map[string]item{"PutRequest": {"Item": it}}
		}
		if err := j.g.call("BatchWriteItem", map[string]any{"RequestItems": map[string]any{line.Table: puts}}, nil); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", path, err)
		}
		n += len(line.Items)
	}
}

// scan reads every item of a table (minidyn answers a Scan without a
// Limit in one page).
func (j *journaled) scan(table string) ([]item, error) {
	var out struct {
		Items            []item
		LastEvaluatedKey item
	}
	if err := j.g.call("Scan", map[string]any{"TableName": table}, &out); err != nil {
		return nil, err
	}
	if len(out.LastEvaluatedKey) > 0 {
		return nil, fmt.Errorf("localdb: a Scan of %s came back in pages", table)
	}
	return out.Items, nil
}

// close closes the journal once the server has stopped.
func (j *journaled) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}

// writeServerError answers 500, which the SDK retries, as DynamoDB answers
// a failure of its own.
func writeServerError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InternalServerError", "message": err.Error()})
}
