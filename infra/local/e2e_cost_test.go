package local_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// costLine is what a function's request log line says of its cost.
type costLine struct {
	Route     string                   `json:"route"`
	Status    int                      `json:"status"`
	LatencyMS float64                  `json:"latency_ms"`
	RCU       float64                  `json:"rcu"`
	WCU       float64                  `json:"wcu"`
	Units     map[string]dbcalls.Units `json:"ddb_units"`
	Calls     map[string]int           `json:"ddb_calls"`
}

// lastCost is the cost of the last request a function logged.
func (e *env) lastCost() costLine {
	e.t.Helper()
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	var c costLine
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &c); err != nil || c.Route == "" {
		e.t.Fatalf("no request line: %v %q", err, lines[len(lines)-1])
	}
	return c
}

// rawItems is the stack's table as DynamoDB's wire format holds it, by
// "PK SK", read with a plain Scan of the embedded server.
func (e *env) rawItems() map[string]capacity.Item {
	e.t.Helper()
	out := map[string]capacity.Item{}
	var start capacity.Item
	for {
		req := map[string]any{"TableName": e.table}
		if start != nil {
			req["ExclusiveStartKey"] = start
		}
		body, _ := json.Marshal(req)
		r, _ := http.NewRequest(http.MethodPost, e.st.DynamoDBEndpoint(), bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", "DynamoDB_20120810.Scan")
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			e.t.Fatal(err)
		}
		var page struct {
			Items            []capacity.Item
			LastEvaluatedKey capacity.Item
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		for _, it := range page.Items {
			out[str(it["PK"])+" "+str(it["SK"])] = it
		}
		if start = page.LastEvaluatedKey; start == nil {
			return out
		}
	}
}

func str(raw json.RawMessage) string {
	var v struct{ S string }
	_ = json.Unmarshal(raw, &v)
	return v.S
}

// tableIndexes are EnrolTable's indexes as template.yaml defines them.
func tableIndexes(t testing.TB) map[string]capacity.Index {
	t.Helper()
	tmpl, err := samtemplate.Load(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	in, err := tmpl.Table(localdb.TableLogicalID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]capacity.Index{}
	for _, g := range in.GlobalSecondaryIndexes {
		x := capacity.Index{Projection: string(g.Projection.ProjectionType), Include: g.Projection.NonKeyAttributes}
		for _, want := range []string{"HASH", "RANGE"} {
			for _, k := range g.KeySchema {
				if string(k.KeyType) == want {
					x.Keys = append(x.Keys, *k.AttributeName)
				}
			}
		}
		out[*g.IndexName] = x
	}
	return out
}

// itemName is an item's kind for a breakdown: its SK up to the first #
// (OFFERING, BOOKING, PERSON, WAIT, …), or OUTBOX for a
// notice to send.
func itemName(id string) string {
	pk, sk, _ := strings.Cut(id, " ")
	if strings.HasPrefix(pk, "OUTBOX#") {
		return "OUTBOX"
	}
	kind, _, _ := strings.Cut(sk, "#")
	return kind
}

// TestBookingLogsItsCapacity: a booking's log line gives the read and
// write units counted by hand from the items as stored before and after
// it, by DynamoDB's rules: its BatchGetItem reads, strongly consistent,
// the offering, the participant and the (absent) booking whose id the
// Idempotency-Key makes, a unit per 4 KB each; its transaction writes
// every item that changed, two units per KB of the larger of before and
// after (the identity's person item among them, which carries every check
// of the person: nothing is checked without being written), and each
// index writes, at one unit per KB, the entries that enter, leave or
// change. Confirmed and waitlisted, each within its budget (DESIGN.md,
// "What a request costs"): the key's record is the booking itself, so no
// item of its own.
func TestBookingLogsItsCapacity(t *testing.T) {
	e := start(t)
	indexes := tableIndexes(t)
	e.offering("open", 10)
	e.offering("full", 1)
	first, p0, _ := e.resident("cost-first")
	firstBooking := e.book(first, "full", p0, false)
	e.expect(firstBooking, 201, "")
	e.bookingNotice(firstBooking.str("id")) // written by the stream's handler, before the next count
	for i, tc := range []struct {
		name, offering, status string
		// budget is the most write units the booking may take.
		budget float64
	}{
		{"confirmed", "open", "confirmed", 7},
		{"waitlisted", "full", "waitlisted", 9},
	} {
		tok, p, _ := e.resident(fmt.Sprintf("cost-%d", i))
		before := e.rawItems()
		r := e.book(tok, tc.offering, p, true, "Idempotency-Key", fmt.Sprintf("cost-key-%d", i))
		e.expect(r, 201, "")
		if r.str("status") != tc.status {
			t.Fatalf("%s: %s", tc.name, r.body)
		}
		line := e.lastCost()
		// The booking's notice comes from the table's stream, put by the
		// dispatcher outside the request: counted apart.
		notice := e.bookingNotice(r.str("id"))
		after := e.rawItems()
		noticeID := fmt.Sprintf("OUTBOX#%d %s", store.OutboxShard(notice.ID), notice.ID)
		if after[noticeID] == nil {
			t.Fatalf("%s: no item %s", tc.name, noticeID)
		}
		noticeSize := capacity.Size(after[noticeID])
		delete(after, noticeID)

		var want, wantReads float64
		wantParts := map[string]dbcalls.Units{}
		var breakdown []string
		ids := slices.Compact(slices.Sorted(func(yield func(string) bool) {
			for id := range maps.Keys(before) {
				yield(id)
			}
			for id := range maps.Keys(after) {
				yield(id)
			}
		}))
		for _, id := range ids {
			old, now := before[id], after[id]
			if old != nil && now != nil && string(mustJSON(t, old)) == string(mustJSON(t, now)) {
				continue // unchanged
			}
			u := 2 * capacity.WriteUnits(max(capacity.Size(old), capacity.Size(now)))
			want += u
			tw := wantParts[dbcalls.TablePart]
			tw.Write += u
			wantParts[dbcalls.TablePart] = tw
			if itemName(id) == "OUTBOX" {
				t.Errorf("%s: the booking's transaction wrote a notice, %s", tc.name, id)
			}
			part := fmt.Sprintf("%s %d B: %.0f", itemName(id), max(capacity.Size(old), capacity.Size(now)), u)
			for _, name := range slices.Sorted(maps.Keys(indexes)) {
				if x := indexes[name].IndexWriteUnits([]string{"PK", "SK"}, old, now); x > 0 {
					want += x
					w := wantParts[name]
					w.Write += x
					wantParts[name] = w
					part += fmt.Sprintf(" + %s %.0f", name, x)
				}
			}
			breakdown = append(breakdown, part)
		}
		participant := before["ACCOUNT#cost-"+fmt.Sprint(i)+" PARTICIPANT#"+p]
		offering := before["OFFERING#"+tc.offering+" OFFERING"]
		if participant == nil || offering == nil {
			t.Fatalf("%s: participant or offering not found", tc.name)
		}
		var identity struct{ S string }
		_ = json.Unmarshal(participant["identity"], &identity)
		if person := after["IDENTITY#"+identity.S+" PERSON"]; person == nil || string(mustJSON(t, person)) == string(mustJSON(t, before["IDENTITY#"+identity.S+" PERSON"])) {
			t.Fatalf("%s: the participant's person item not written", tc.name)
		}
		// The verification, the participant, the no-show block, the
		// one-per-offering marker and the term limit are all conditions of
		// the person item's update, counted above: no check of its own.
		tw := wantParts[dbcalls.TablePart]
		wantReads = capacity.ReadUnits(capacity.Size(offering), true) + capacity.ReadUnits(capacity.Size(participant), true) + capacity.ReadUnits(0, true)
		tw.Read = wantReads
		wantParts[dbcalls.TablePart] = tw

		if line.WCU != want || line.RCU != wantReads {
			t.Errorf("%s: logged rcu %v wcu %v, counted by hand %v and %v", tc.name, line.RCU, line.WCU, wantReads, want)
		}
		if line.WCU > tc.budget || line.RCU > 3 {
			t.Errorf("%s: %v write units, %v read units; the budget is %v and 3", tc.name, line.WCU, line.RCU, tc.budget)
		}
		for _, id := range ids {
			if itemName(id) == "IDEMPOTENCY" && after[id] != nil {
				t.Errorf("%s: an idempotency record %s was written; the booking is the key's record", tc.name, id)
			}
		}
		if fmt.Sprint(line.Units) != fmt.Sprint(wantParts) {
			t.Errorf("%s: logged by part %v, counted %v", tc.name, line.Units, wantParts)
		}
		t.Logf("booking (%s): %.0f read units, %.0f write units: %s; outside the request, the stream's notice (OUTBOX %d B): a put of %.0f",
			tc.name, line.RCU, line.WCU, strings.Join(breakdown, "; "), noticeSize, capacity.WriteUnits(noticeSize))
	}
}

func mustJSON(t *testing.T, it capacity.Item) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, k := range slices.Sorted(maps.Keys(it)) {
		var v any
		_ = json.Unmarshal(it[k], &v)
		raw, _ := json.Marshal(v)
		b.WriteString(k + "=" + string(raw) + ";")
	}
	return b.Bytes()
}
