package store

import (
	"context"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// Applications to a lottery offering (issue 13). An application is written
// as three items in one TransactWriteItems, none of them shared with other
// applicants, so applying has no hot item:
//
//	PK ACCOUNT#<sub>  SK APPLICATION#<id>
//	  the resident's record (applicationItem): what /v1/me/applications
//	  shows, its status, and after the draw its number, rank and booking
//	PK APPLICANTS#<offering>#<shard>  SK <id>
//	  the draw's entry (entryItem): what the draw needs to rank it and make
//	  its booking; the shard is a hash of the id (ApplicantShards), so a
//	  thousand applying at once write to sixteen partitions, and the draw
//	  reads them all strongly consistently; deleted when withdrawn
//	PK IDENTITY#<hmac>  SK APPLIED#<offering>
//	  one application per identity and offering, across accounts
//	  (attribute_not_exists → already_applied); deleted when withdrawn
const (
	prefixApplication = "APPLICATION#"
	prefixApplicants  = "APPLICANTS#"
	prefixApplied     = "APPLIED#"
	// ApplicantShards is how many partitions an offering's entries spread over.
	ApplicantShards = 16
)

func applicantShard(applicationID string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(applicationID))
	return int(h.Sum32() % ApplicantShards)
}

func applicantsPK(offeringID string, shard int) string {
	return prefixApplicants + offeringID + "#" + strconv.Itoa(shard)
}

// applicationItem is the resident's record of an application.
type applicationItem struct {
	PK, SK         string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OfferingID     string `dynamodbav:"offering_id"`
	Title          string `dynamodbav:"offering_title"`
	Kind           string `dynamodbav:"kind"`
	Term           string `dynamodbav:"term"`
	CentreID       string `dynamodbav:"centre_id"`
	CentreName     string `dynamodbav:"centre_name"`
	District       string `dynamodbav:"district"`
	StartsOn       string `dynamodbav:"starts_on"`
	ParticipantID  string `dynamodbav:"participant_id"`
	Status         string `dynamodbav:"status"`
	Ticket         string `dynamodbav:"ticket"`
	Tier           int    `dynamodbav:"tier"`
	Account        string `dynamodbav:"account"`
	Identity       string `dynamodbav:"identity"`
	CreatedAt      string `dynamodbav:"created_at"`
	WithdrawnAt    string `dynamodbav:"withdrawn_at,omitempty"`
	Number         string `dynamodbav:"number,omitempty"`
	Rank           int    `dynamodbav:"rank,omitempty"`
	BookingID      string `dynamodbav:"booking_id,omitempty"`
	NotDrawnReason string `dynamodbav:"not_drawn_reason,omitempty"`
	// Personal is the participant's name, birth date and last four, sealed
	// under this item's key.
	Personal []byte `dynamodbav:"personal,omitempty"`
}

// entryItem is an application as the draw reads it: enough to rank it and
// to write its booking without reading anything else.
type entryItem struct {
	PK, SK        string
	Type          string `dynamodbav:"type"`
	ID            string `dynamodbav:"id"`
	OfferingID    string `dynamodbav:"offering_id"`
	Account       string `dynamodbav:"account"`
	ParticipantID string `dynamodbav:"participant_id"`
	Identity      string `dynamodbav:"identity"`
	Tier          int    `dynamodbav:"tier"`
	CreatedAt     string `dynamodbav:"created_at"`
	// Personal is sealed under the entry's own key (the draw opens it and
	// seals it again under the booking's).
	Personal []byte `dynamodbav:"personal,omitempty"`
}

func applicationKey(account, id string) map[string]types.AttributeValue {
	return key(accountPK(account), prefixApplication+id)
}

func entryKey(offeringID, id string) map[string]types.AttributeValue {
	return key(applicantsPK(offeringID, applicantShard(id)), id)
}

func appliedKey(identity, offeringID string) map[string]types.AttributeValue {
	return key(identityPK(identity), prefixApplied+offeringID)
}

// applicationItems are the three new items of application a, unconditional
// (the caller adds the conditions its write needs): the resident's record,
// the draw's entry and the identity's marker.
func (st *Store) applicationItems(ctx context.Context, a domain.Application) (record, entry, applied map[string]types.AttributeValue, err error) {
	p := personal{Name: a.Participant.Name, BirthDate: a.BirthDate, Last4: a.IDNumberLast4}
	rec := applicationItem{
		PK: accountPK(a.Account), SK: prefixApplication + a.ID, Type: "application",
		ID: a.ID, OfferingID: a.OfferingID, Title: a.Offering.Title, Kind: string(a.Offering.Kind), Term: a.Term,
		CentreID: a.Offering.Centre.ID, CentreName: a.Offering.Centre.Name, District: string(a.Offering.Centre.District),
		StartsOn: a.Offering.StartsOn, ParticipantID: a.ParticipantID, Status: string(a.Status), Ticket: a.Ticket,
		Tier: a.Tier, Account: a.Account, Identity: a.Identity, CreatedAt: utc(a.CreatedAt),
	}
	if rec.Personal, err = st.seal(ctx, rec.PK, rec.SK, personal{Name: p.Name}); err != nil {
		return nil, nil, nil, err
	}
	ek := entryKey(a.OfferingID, a.ID)
	ent := entryItem{
		PK: ek[attrPK].(*types.AttributeValueMemberS).Value, SK: a.ID, Type: "applicant",
		ID: a.ID, OfferingID: a.OfferingID, Account: a.Account, ParticipantID: a.ParticipantID,
		Identity: a.Identity, Tier: a.Tier, CreatedAt: utc(a.CreatedAt),
	}
	if ent.Personal, err = st.seal(ctx, ent.PK, ent.SK, p); err != nil {
		return nil, nil, nil, err
	}
	if record, err = attributevalue.MarshalMap(rec); err != nil {
		return nil, nil, nil, classify(err)
	}
	if entry, err = attributevalue.MarshalMap(ent); err != nil {
		return nil, nil, nil, classify(err)
	}
	applied = appliedKey(a.Identity, a.OfferingID)
	applied["application_id"], applied["account"] = s(a.ID), s(a.Account)
	return record, entry, applied, nil
}

// unmarshalApplication reads the resident's record of an application.
func (st *Store) unmarshalApplication(ctx context.Context, m map[string]types.AttributeValue) (domain.Application, error) {
	var it applicationItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Application{}, classify(err)
	}
	p, err := st.open(ctx, it.PK, it.SK, it.Personal)
	if err != nil {
		return domain.Application{}, err
	}
	a := domain.Application{
		ID: it.ID, OfferingID: it.OfferingID,
		Offering: domain.BookedOffering{Title: it.Title, Kind: domain.Kind(it.Kind), StartsOn: it.StartsOn,
			Centre: domain.CentreRef{ID: it.CentreID, Name: it.CentreName, District: domain.District(it.District)}},
		ParticipantID: it.ParticipantID, Participant: domain.BookedParticipant{Name: p.Name},
		Status: domain.ApplicationStatus(it.Status), Ticket: it.Ticket, Tier: it.Tier, CreatedAt: parseTime(it.CreatedAt),
		Number: it.Number, Rank: it.Rank, BookingID: it.BookingID, NotDrawnReason: it.NotDrawnReason,
		WithdrawnAt: timeOrNil(it.WithdrawnAt), Account: it.Account, Identity: it.Identity, Term: it.Term,
	}
	return a, nil
}

// ApplicationEntries reads every application of an offering still in its
// draw (not withdrawn), from the draw's entries: one strongly consistent
// Query per shard (and per megabyte), so an application that landed before
// the read is in it. Each carries what its booking needs (account,
// participant, identity, tier, and the participant's name, birth date and
// last four); the offering's facts are the caller's.
func (st *Store) ApplicationEntries(ctx context.Context, offeringID string) ([]domain.Application, error) {
	var out []domain.Application
	for shard := range ApplicantShards {
		err := st.queryAll(ctx, partition{pk: applicantsPK(offeringID, shard)}, func(m map[string]types.AttributeValue) error {
			var it entryItem
			if err := attributevalue.UnmarshalMap(m, &it); err != nil {
				return classify(err)
			}
			p, err := st.open(ctx, it.PK, it.SK, it.Personal)
			if err != nil {
				return err
			}
			out = append(out, domain.Application{
				ID: it.ID, OfferingID: it.OfferingID, ParticipantID: it.ParticipantID,
				Participant: domain.BookedParticipant{Name: p.Name}, Status: domain.ApplicationApplied,
				Tier: it.Tier, CreatedAt: parseTime(it.CreatedAt), Account: it.Account, Identity: it.Identity,
				BirthDate: p.BirthDate, IDNumberLast4: p.Last4,
			})
			return nil
		}, consistent)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NewApplication is an application decided on and ready to write.
type NewApplication struct {
	Application domain.Application
	Offering    domain.Offering // as read
	// IdempotencyKey, when set, records the request under the key until
	// IdempotencyTill, so a retry finds the application it made.
	IdempotencyKey  string
	RequestHash     string
	IdempotencyTill time.Time
}

// CreateApplication writes an application's three items in one
// TransactWriteItems with its checks, in the order that decides which
// refusal is reported when several fail: a retry of the same request, a
// person verified by another account, a no-show block, an application by
// the same identity already there (already_applied), the term limit (a
// ConditionCheck on the identity's counter, not an ADD: an application
// counts only once the draw makes it a booking), then the record, the
// draw's entry and the participant still there and not being erased.
// Nothing written is shared with another applicant (not even the offering),
// so a thousand applying at once do not contend. It returns the refusal,
// ErrIdempotencyTaken, ErrContention (read again and retry), or the 503 or
// 500 the transaction's outcome calls for.
func (st *Store) CreateApplication(ctx context.Context, na NewApplication) error {
	a, o := na.Application, na.Offering
	now := a.CreatedAt
	record, entry, applied, err := st.applicationItems(ctx, a)
	if err != nil {
		return err
	}
	var t txn
	if na.IdempotencyKey != "" {
		st.idempotencyPut(&t, a.Account, na.IdempotencyKey, na.RequestHash, "application_id", a.ID, na.IdempotencyTill, now)
	}
	st.personChecks(&t, a.Identity, a.Account, o)
	t.add(checks(domain.RuleOneApplication, domain.Facts{}), types.TransactWriteItem{Put: &types.Put{
		TableName: &st.table, Item: applied, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	if o.MaxPerParticipantPerTerm > 0 {
		t.add(checks(domain.RuleTermLimit, domain.Facts{Limit: o.MaxPerParticipantPerTerm}), types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: &st.table, Key: key(identityPK(a.Identity), prefixTerm+string(o.Kind)+"#"+o.Term),
			ConditionExpression:       aws.String("attribute_not_exists(active) OR active < :max"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":max": n(int64(o.MaxPerParticipantPerTerm))},
		}})
	}
	// A retry reuses the id, so a record already there is this request's
	// own earlier attempt racing it: read again.
	t.add(contended, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: record, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: entry}})
	t.add(contended, st.participantLive(a.Account, a.ParticipantID))
	return st.transact(ctx, &t)
}

// WithdrawApplication withdraws application a (status applied): its record
// becomes withdrawn with withdrawn_at, its draw entry and its identity's
// marker go, in one transaction, on condition that the draw has not closed
// its ticket list (else applications_closed) and the record is still
// applied (else ErrContention: read again).
func (st *Store) WithdrawApplication(ctx context.Context, a domain.Application, now time.Time) error {
	var t txn
	t.add(checks(domain.RuleBeforeClose, domain.Facts{}), types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &st.table, Key: key(offeringPK(a.OfferingID), skDraw),
		ConditionExpression:       aws.String("#status = :committed"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":committed": s(DrawCommitted)},
	}})
	t.add(contended, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: applicationKey(a.Account, a.ID),
		UpdateExpression:         aws.String("SET #status = :withdrawn, withdrawn_at = :now"),
		ConditionExpression:      aws.String("#status = :applied"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":withdrawn": s(string(domain.ApplicationWithdrawn)), ":applied": s(string(domain.ApplicationApplied)), ":now": s(utc(now)),
		},
	}})
	t.add(unconditional,
		types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: entryKey(a.OfferingID, a.ID)}},
		types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: appliedKey(a.Identity, a.OfferingID)}})
	return st.transact(ctx, &t)
}

// GetApplication reads one of an account's applications; another
// account's is not found.
func (st *Store) GetApplication(ctx context.Context, account, id string) (domain.Application, error) {
	return get(ctx, st, applicationKey(account, id), "application", func(m map[string]types.AttributeValue) (domain.Application, error) {
		return st.unmarshalApplication(ctx, m)
	})
}

// ListApplications pages through an account's applications, newest first
// (application ids begin with their creation time).
func (st *Store) ListApplications(ctx context.Context, account string, page paging.Page) ([]domain.Application, string, error) {
	out := []domain.Application{}
	next, err := st.queryPage(ctx, partition{pk: accountPK(account), prefix: prefixApplication}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		a, err := st.unmarshalApplication(ctx, m)
		if err != nil {
			return false, err
		}
		out = append(out, a)
		return true, nil
	}, newestFirst, consistent)
	return out, next, err
}

// ApplicantCounts counts the applications in each lottery offering's draw
// (not withdrawn), from the draw's entries: a Select COUNT Query of each
// shard, the shards of one offering at once. The figure costs reads of the
// entries and writes nothing, so applying keeps no counter that every
// applicant would update.
func (st *Store) ApplicantCounts(ctx context.Context, offeringIDs []string) (map[string]int, error) {
	out := make(map[string]int, len(offeringIDs))
	for _, id := range offeringIDs {
		var counts [ApplicantShards]int
		var errs [ApplicantShards]error
		var wg sync.WaitGroup
		for shard := range ApplicantShards {
			wg.Go(func() { counts[shard], errs[shard] = st.countShard(ctx, applicantsPK(id, shard)) })
		}
		wg.Wait()
		for shard := range ApplicantShards {
			if errs[shard] != nil {
				return nil, errs[shard]
			}
			out[id] += counts[shard]
		}
	}
	return out, nil
}

// countShard counts the items of one partition (per megabyte read).
func (st *Store) countShard(ctx context.Context, pk string) (int, error) {
	q := st.query(partition{pk: pk})
	q.Select = types.SelectCount
	total := 0
	for {
		res, err := st.db.Query(ctx, q)
		if err != nil {
			return 0, classify(err)
		}
		total += int(res.Count)
		if len(res.LastEvaluatedKey) == 0 {
			return total, nil
		}
		q.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// ParticipantApplications are the account's applications for participantID,
// every status.
func (st *Store) ParticipantApplications(ctx context.Context, account, participantID string) ([]domain.Application, error) {
	var out []domain.Application
	err := st.queryAll(ctx, partition{pk: accountPK(account), prefix: prefixApplication}, func(m map[string]types.AttributeValue) error {
		a, err := st.unmarshalApplication(ctx, m)
		if err == nil && a.ParticipantID == participantID {
			out = append(out, a)
		}
		return err
	}, consistent)
	return out, err
}

// DeleteApplication deletes an application's record from its account (an
// erasure: the draw's entry and marker are gone already, withdrawn or
// drawn).
func (st *Store) DeleteApplication(ctx context.Context, a domain.Application) error {
	return st.DeleteItems(ctx, []map[string]types.AttributeValue{applicationKey(a.Account, a.ID)})
}
