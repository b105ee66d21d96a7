package store

import (
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// The outbox: a notice (shared/notices) is one item, written in the same
// transaction as the change it announces, and deleted once the dispatcher
// has sent it everywhere it goes (shared/delivery). Its partition is one of
// OutboxShards, by a hash of its id, so a burst of changes spreads its
// writes; the dispatcher reads every shard.
//
//	PK OUTBOX#<shard>  SK <notice id>
//	  the notice's facts (noticeItem), attempts, due (stampKey of when it may
//	  next be tried), done (the send keys already sent), last_error
const (
	prefixOutbox = "OUTBOX#"
	// OutboxShards is how many partitions the outbox spreads over.
	OutboxShards = 8
)

// OutboxShard is the outbox partition of notice id (tests find its item).
func OutboxShard(id string) int { return outboxShard(id) }

func outboxShard(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % OutboxShards)
}

func outboxPK(shard int) string { return prefixOutbox + strconv.Itoa(shard) }

// noticeItem is a notice as the outbox (and the dead letters) keep it.
type noticeItem struct {
	ID           string `dynamodbav:"id"`
	Event        string `dynamodbav:"event"`
	At           string `dynamodbav:"at"`
	Account      string `dynamodbav:"account,omitempty"`
	OfferingID   string `dynamodbav:"offering_id,omitempty"`
	BookingID    string `dynamodbav:"booking_id,omitempty"`
	CentreID     string `dynamodbav:"centre_id,omitempty"`
	Kind         string `dynamodbav:"kind,omitempty"`
	Term         string `dynamodbav:"term,omitempty"`
	Title        string `dynamodbav:"title,omitempty"`
	FirstSession string `dynamodbav:"first_session,omitempty"`
	Deadline     string `dynamodbav:"deadline,omitempty"`
	Result       string `dynamodbav:"result,omitempty"`
	Rank         int    `dynamodbav:"rank,omitempty"`
	CentreName   string `dynamodbav:"centre_name,omitempty"`
	CentrePhone  string `dynamodbav:"centre_phone,omitempty"`
}

func toNoticeItem(n notices.Notice) noticeItem {
	it := noticeItem{ID: n.ID, Event: string(n.Event), At: utc(n.At), Account: n.Account, OfferingID: n.OfferingID,
		BookingID: n.BookingID, CentreID: n.CentreID, Kind: string(n.Kind), Term: n.Term, Title: n.Title,
		FirstSession: n.FirstSession, Result: n.Result, Rank: n.Rank, CentreName: n.CentreName, CentrePhone: n.CentrePhone}
	if !n.Deadline.IsZero() {
		it.Deadline = utc(n.Deadline)
	}
	return it
}

func (it noticeItem) notice() notices.Notice {
	n := notices.Notice{ID: it.ID, Event: notices.Event(it.Event), At: parseTime(it.At), Account: it.Account,
		OfferingID: it.OfferingID, BookingID: it.BookingID, CentreID: it.CentreID, Kind: domain.Kind(it.Kind),
		Term: it.Term, Title: it.Title, FirstSession: it.FirstSession, Result: it.Result, Rank: it.Rank,
		CentreName: it.CentreName, CentrePhone: it.CentrePhone}
	if it.Deadline != "" {
		n.Deadline = parseTime(it.Deadline)
	}
	return n
}

// noticePut writes nt into the outbox, due at once. Its condition (no
// notice of that id yet) makes writing a notice with an id made from what
// it announces idempotent: the transaction writing it again is refused.
func (st *Store) noticePut(nt notices.Notice) types.TransactWriteItem {
	item, _ := attributevalue.MarshalMap(toNoticeItem(nt))
	item[attrPK], item[attrSK] = s(outboxPK(outboxShard(nt.ID))), s(nt.ID)
	item["type"], item["attempts"], item["due"] = s("notice"), n(0), s(stampKey(nt.At.UnixNano()))
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}
}

// OutboxEntry is a notice waiting in the outbox, with its delivery so far.
type OutboxEntry struct {
	notices.Notice
	// Attempts is how many times the dispatcher has taken it up.
	Attempts int
	// Due is when it may next be taken up.
	Due time.Time
	// Done are the send keys already sent (notice id + "#" + channel or
	// "bus"), so that a retry sends only what is left.
	Done      []string
	LastError string
}

func unmarshalOutboxEntry(m map[string]types.AttributeValue) (OutboxEntry, error) {
	var it struct {
		noticeItem
		Attempts  int      `dynamodbav:"attempts"`
		Due       string   `dynamodbav:"due"`
		Done      []string `dynamodbav:"done,stringset,omitempty"`
		LastError string   `dynamodbav:"last_error,omitempty"`
	}
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return OutboxEntry{}, classify(err)
	}
	due, _ := strconv.ParseInt(it.Due, 10, 64)
	return OutboxEntry{Notice: it.notice(), Attempts: it.Attempts, Due: time.Unix(0, due).UTC(), Done: it.Done, LastError: it.LastError}, nil
}
