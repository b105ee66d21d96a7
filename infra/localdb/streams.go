package localdb

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The guard serves the DynamoDB Streams API for a table created (or
// updated) with a StreamSpecification, which minidyn knows nothing of: it
// sees every write with the items before and after (the copy, query.go),
// so each change is a record, INSERT, MODIFY or REMOVE, with the images
// the stream's view type keeps, in the order the writes were applied (a
// transaction's items in its order, all at once). One open shard per
// stream; DescribeTable names the stream (LatestStreamArn) as DynamoDB
// does. Enough for the local stack to poll it through the SDK's
// dynamodbstreams client as Lambda's event source mapping does
// (infra/local/streams.go). Records are kept in memory for as long as the
// server runs (DynamoDB keeps 24 hours), and are not journaled: a restart
// on a data folder starts an empty stream.

// streamShardID is the one shard of every stream.
const streamShardID = "shardId-00000001700000000000-00000001"

// streamLog is one table's stream.
type streamLog struct {
	arn, label, view string
	records          []streamRecord
}

type streamRecord struct {
	name     string // INSERT, MODIFY or REMOVE
	keys     item
	old, new item // as the view type keeps them
	at       time.Time
	size     int
}

// seqOf is record i's sequence number: zero-padded, so that numbers order
// as strings too.
func seqOf(i int) string { return fmt.Sprintf("%021d", i+1) }

// streamSpec reads a CreateTable's or UpdateTable's StreamSpecification:
// on (with the view type), off, or not named.
func streamSpec(body []byte) (enabled bool, view string, named bool) {
	var in struct {
		StreamSpecification *struct {
			StreamEnabled  bool
			StreamViewType string
		}
	}
	if json.Unmarshal(body, &in) != nil || in.StreamSpecification == nil {
		return false, "", false
	}
	return in.StreamSpecification.StreamEnabled, in.StreamSpecification.StreamViewType, true
}

// withoutStreamSpec is a table request without its StreamSpecification,
// for minidyn.
func withoutStreamSpec(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if _, ok := m["StreamSpecification"]; !ok {
		return body
	}
	delete(m, "StreamSpecification")
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

// setStream turns table's stream on (a new one, as DynamoDB labels each
// stream it makes) or off, under the exclusive lock.
func (g *guard) setStream(table string, enabled bool, view string, now time.Time) {
	if !enabled {
		delete(g.streams, table)
		return
	}
	if s := g.streams[table]; s != nil && s.view == view {
		return
	}
	label := now.UTC().Format("2006-01-02T15:04:05.000")
	g.streams[table] = &streamLog{label: label, view: view,
		arn: "arn:aws:dynamodb:local:000000000000:table/" + table + "/stream/" + label}
}

// record adds the changes ops made, from pre to post, to their tables'
// streams (an item unchanged, or a ConditionCheck's, adds none).
func (g *guard) record(ops []writeOp, pre, post []item) {
	if len(g.streams) == 0 {
		return
	}
	now := time.Now()
	for i, w := range ops {
		s := g.streams[w.table]
		if s == nil || reflect.DeepEqual(pre[i], post[i]) {
			continue
		}
		r := streamRecord{keys: w.key, at: now}
		switch {
		case pre[i] == nil:
			r.name = "INSERT"
		case post[i] == nil:
			r.name = "REMOVE"
		default:
			r.name = "MODIFY"
		}
		if s.view == "NEW_IMAGE" || s.view == "NEW_AND_OLD_IMAGES" {
			r.new = post[i]
		}
		if s.view == "OLD_IMAGE" || s.view == "NEW_AND_OLD_IMAGES" {
			r.old = pre[i]
		}
		for _, it := range []item{r.keys, r.new, r.old} {
			for k, v := range it {
				r.size += len(k) + len(v)
			}
		}
		s.records = append(s.records, r)
	}
}

// describeTableStream adds the table's stream to a DescribeTable answer.
func (g *guard) describeTableStream(body []byte, rec *recorder) {
	var in struct{ TableName string }
	if rec.status != http.StatusOK || json.Unmarshal(body, &in) != nil {
		return
	}
	s := g.streams[in.TableName]
	if s == nil {
		return
	}
	var out map[string]map[string]any
	if json.Unmarshal(rec.body.Bytes(), &out) != nil || out["Table"] == nil {
		return
	}
	out["Table"]["LatestStreamArn"], out["Table"]["LatestStreamLabel"] = s.arn, s.label
	out["Table"]["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": s.view}
	b, err := json.Marshal(out)
	if err != nil {
		return
	}
	rec.body.Reset()
	rec.body.Write(b)
}

// streamByArn finds a stream by its ARN.
func (g *guard) streamByArn(arn string) (string, *streamLog) {
	for table, s := range g.streams {
		if s.arn == arn {
			return table, s
		}
	}
	return "", nil
}

// serveStreams answers a DynamoDB Streams operation, under the read lock.
func (g *guard) serveStreams(op string, body []byte) *recorder {
	var in struct {
		StreamArn, TableName, ShardId, ShardIteratorType, SequenceNumber, ShardIterator string
		Limit                                                                           int
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return errorRecorder("SerializationException", err)
	}
	notFound := errorRecorder("ResourceNotFoundException", fmt.Errorf("requested resource not found: stream %s not found", in.StreamArn))
	switch op {
	case "ListStreams":
		var list []map[string]string
		for table, s := range g.streams {
			if in.TableName == "" || in.TableName == table {
				list = append(list, map[string]string{"StreamArn": s.arn, "StreamLabel": s.label, "TableName": table})
			}
		}
		return jsonRecorder(map[string]any{"Streams": list})
	case "DescribeStream":
		table, s := g.streamByArn(in.StreamArn)
		if s == nil {
			return notFound
		}
		t := g.tables[table]
		keys := []map[string]string{{"AttributeName": t.key[0], "KeyType": "HASH"}}
		if len(t.key) > 1 {
			keys = append(keys, map[string]string{"AttributeName": t.key[1], "KeyType": "RANGE"})
		}
		return jsonRecorder(map[string]any{"StreamDescription": map[string]any{
			"StreamArn": s.arn, "StreamLabel": s.label, "StreamStatus": "ENABLED", "StreamViewType": s.view,
			"TableName": table, "KeySchema": keys,
			"Shards": []map[string]any{{"ShardId": streamShardID, "SequenceNumberRange": map[string]string{"StartingSequenceNumber": seqOf(0)}}},
		}})
	case "GetShardIterator":
		_, s := g.streamByArn(in.StreamArn)
		if s == nil || in.ShardId != streamShardID {
			return notFound
		}
		var at int
		switch in.ShardIteratorType {
		case "TRIM_HORIZON":
		case "LATEST":
			at = len(s.records)
		case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
			n, err := strconv.Atoi(in.SequenceNumber)
			if err != nil || n < 1 || n > len(s.records) {
				return errorRecorder("ValidationException", fmt.Errorf("invalid SequenceNumber %q", in.SequenceNumber))
			}
			at = n - 1
			if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
				at = n
			}
		default:
			return errorRecorder("ValidationException", fmt.Errorf("invalid ShardIteratorType %q", in.ShardIteratorType))
		}
		return jsonRecorder(map[string]string{"ShardIterator": shardIterator(s.arn, at)})
	case "GetRecords":
		arn, at, ok := parseShardIterator(in.ShardIterator)
		_, s := g.streamByArn(arn)
		if !ok || s == nil {
			return errorRecorder("ExpiredIteratorException", fmt.Errorf("iterator expired or invalid"))
		}
		limit := in.Limit
		if limit <= 0 || limit > 1000 {
			limit = 1000
		}
		end := min(at+limit, len(s.records))
		records := make([]map[string]any, 0, end-at)
		for i := at; i < end; i++ {
			r := s.records[i]
			img := map[string]any{"ApproximateCreationDateTime": float64(r.at.Unix()), "Keys": r.keys,
				"SequenceNumber": seqOf(i), "SizeBytes": r.size, "StreamViewType": s.view}
			if r.new != nil {
				img["NewImage"] = r.new
			}
			if r.old != nil {
				img["OldImage"] = r.old
			}
			records = append(records, map[string]any{"eventID": fmt.Sprintf("%s-%d", s.label, i+1), "eventName": r.name,
				"eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "local", "dynamodb": img})
		}
		return jsonRecorder(map[string]any{"Records": records, "NextShardIterator": shardIterator(s.arn, end)})
	}
	return errorRecorder("UnknownOperationException", fmt.Errorf("unknown operation %s", op))
}

// A shard iterator is the stream and the index of the next record.
func shardIterator(arn string, at int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(arn + "|" + strconv.Itoa(at)))
}

func parseShardIterator(it string) (arn string, at int, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(it)
	if err != nil {
		return "", 0, false
	}
	i := strings.LastIndexByte(string(b), '|')
	if i < 0 {
		return "", 0, false
	}
	at, err = strconv.Atoi(string(b[i+1:]))
	return string(b[:i]), at, err == nil && at >= 0
}

// jsonRecorder is a successful answer of v.
func jsonRecorder(v any) *recorder {
	rec := newRecorder()
	rec.header.Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(&rec.body).Encode(v)
	return rec
}

// tableNameOf is a table request's TableName.
func tableNameOf(body []byte) string {
	var in struct{ TableName string }
	_ = json.Unmarshal(body, &in)
	return in.TableName
}
