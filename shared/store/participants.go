package store

import (
	"context"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

type participantItem struct {
	PK, SK         string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	Personal       []byte `dynamodbav:"personal,omitempty"` // sealed name, birth date, last4
	Identity       string `dynamodbav:"identity"`
	Account        string `dynamodbav:"account"`
	CreatedAt      string `dynamodbav:"created_at"`
	ConsentVersion string `dynamodbav:"consent_notice_version,omitempty"`
	ConsentAt      string `dynamodbav:"consent_at,omitempty"`
	// Set by VerifyIdentity: when and by which staff member.
	VerifiedAt string `dynamodbav:"verified_at,omitempty"`
	VerifiedBy string `dynamodbav:"verified_by,omitempty"`
	// By is "staff" for a participant registered at a centre's counter.
	By string `dynamodbav:"by,omitempty"`
	// RetainUntil, and its GSI3 key, say when the retention job erases the
	// participant (retention.go).
	RetainUntil    string `dynamodbav:"retain_until,omitempty"`
	GSI3PK, GSI3SK string `dynamodbav:",omitempty"`
}

func (st *Store) unmarshalParticipant(ctx context.Context, m map[string]types.AttributeValue) (domain.Participant, error) {
	var it participantItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Participant{}, classify(err)
	}
	p, err := st.open(ctx, it.PK, it.SK, it.Personal)
	if err != nil {
		return domain.Participant{}, err
	}
	out := domain.Participant{ID: it.ID, Name: p.Name, BirthDate: p.BirthDate, IDNumberLast4: p.Last4,
		CreatedAt: parseTime(it.CreatedAt), Account: it.Account, Identity: it.Identity, By: it.By}
	if it.ConsentVersion != "" {
		out.Consent = &domain.Consent{NoticeVersion: it.ConsentVersion, AgreedAt: parseTime(it.ConsentAt)}
	}
	if it.VerifiedAt != "" {
		at := parseTime(it.VerifiedAt)
		out.Verified, out.VerifiedAt = true, &at
	}
	return out, nil
}

// consentItem is a guardian's consent, kept apart from the participant so
// that it outlives the child's erased data as proof of what was agreed and
// when; it holds no name or identity.
type consentItem struct {
	PK, SK        string
	Type          string `dynamodbav:"type"`
	ParticipantID string `dynamodbav:"participant_id"`
	NoticeVersion string `dynamodbav:"notice_version"`
	AgreedAt      string `dynamodbav:"agreed_at"`
	WithdrawnAt   string `dynamodbav:"withdrawn_at,omitempty"`
}

// CreateParticipant counts a registration attempt against the account's
// daily limit (429 too_many_requests past domain.RegistrationsPerDay), then
// stores, in one transaction, the participant (its personal fields sealed),
// a marker of its identity in the account (so one account cannot register
// the same person twice, 409 conflict), its entry in the identity's registry
// (refused when another account verified the identity), the account's count
// of participants (at most domain.MaxParticipants, 409 participant_limit)
// and the guardian's consent record when there is one. The attempt counts
// even when the transaction is refused, and deleting a participant gives it
// back to the count of held participants, never to the day's attempts. The
// day is p.CreatedAt's in the city.
//
// A participant registered at a centre's counter comes with its audit
// record (issue 20), written in the same transaction.
func (st *Store) CreateParticipant(ctx context.Context, p domain.Participant, audit ...AuditEntry) error {
	if err := st.countRegistration(ctx, p.Account, p.CreatedAt); err != nil {
		return err
	}
	retain := retainedFrom(p.CreatedAt)
	it := participantItem{PK: accountPK(p.Account), SK: prefixPart + p.ID, Type: "participant", ID: p.ID,
		Identity: p.Identity, Account: p.Account, CreatedAt: utc(p.CreatedAt), By: p.By,
		RetainUntil: retain, GSI3PK: pkRetention, GSI3SK: retentionSK(retain, p.Account, p.ID)}
	sealed, err := st.seal(ctx, it.PK, it.SK, personal{Name: p.Name, BirthDate: p.BirthDate, Last4: p.IDNumberLast4})
	if err != nil {
		return err
	}
	it.Personal = sealed
	var consent map[string]types.AttributeValue
	if c := p.Consent; c != nil {
		it.ConsentVersion, it.ConsentAt = c.NoticeVersion, utc(c.AgreedAt)
		consent, err = attributevalue.MarshalMap(consentItem{PK: accountPK(p.Account), SK: prefixConsent + p.ID, Type: "consent",
			ParticipantID: p.ID, NoticeVersion: c.NoticeVersion, AgreedAt: utc(c.AgreedAt)})
		if err != nil {
			return classify(err)
		}
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return classify(err)
	}
	marker := key(accountPK(p.Account), prefixPartID+p.Identity)
	marker["participant_id"] = s(p.ID)
	var t txn
	st.registryItems(&t, p) // first: a refusal there is the answer
	t.add(checks(domain.RuleOnceInAccount, domain.Facts{}),
		types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: marker, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	// Every registration in the account writes the account's count (and the
	// city's): concurrent ones conflict on it and go round again.
	t.add(onFail{rule: domain.RuleParticipantLimit, contended: true},
		types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(accountPK(p.Account), skPartCount),
			UpdateExpression:          aws.String("ADD participants :one"),
			ConditionExpression:       aws.String("attribute_not_exists(participants) OR participants < :max"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":max": nAttr(domain.MaxParticipants)},
		}})
	if consent != nil {
		t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: consent, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	for _, a := range audit {
		t.add(unconditional, st.auditPut(a))
	}
	return st.Retry.Do(ctx, func(int) error { return st.transact(ctx, &t) })
}

// countRegistration adds one to the account's attempts of the day (in the
// city), refusing past domain.RegistrationsPerDay with the seconds to the
// next day.
func (st *Store) countRegistration(ctx context.Context, account string, now time.Time) error {
	local := now.In(domain.CityZone)
	day := local.Format(domain.DateLayout)
	y, m, d := local.Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, domain.CityZone)
	// The day's attempts live on the account's counter item beside its count
	// of participants (one item an account, not one a day: every item makes
	// the embedded DynamoDB's transactions slower, DESIGN.md): the same day
	// counts on, another day starts afresh. Two conditional updates, as
	// DynamoDB has no if-else; a request racing past midnight goes round again.
	vals := map[string]types.AttributeValue{":one": n(1), ":max": nAttr(domain.RegistrationsPerDay), ":day": s(day)}
	for range 2 {
		_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: key(accountPK(account), skPartCount),
			UpdateExpression:          aws.String("ADD attempts :one"),
			ConditionExpression:       aws.String("attempts_day = :day AND attempts < :max"),
			ExpressionAttributeValues: vals,
		})
		if !isConditionFailed(err) {
			return classify(err)
		}
		_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: key(accountPK(account), skPartCount),
			UpdateExpression:          aws.String("SET attempts_day = :day, attempts = :one"),
			ConditionExpression:       aws.String("attribute_not_exists(attempts_day) OR attempts_day <> :day"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":day": s(day)},
		})
		if !isConditionFailed(err) {
			return classify(err)
		}
		// Neither: today's count is at the limit, or another request has
		// just started today's count (then the next round adds to it).
	}
	return domain.Refusal(domain.RuleRegistrationsPerDay, domain.Facts{Limit: domain.RegistrationsPerDay, Next: tomorrow,
		RetryAfter: int(math.Ceil(tomorrow.Sub(now).Seconds()))})
}

// GetParticipant reads one of an account's participants.
func (st *Store) GetParticipant(ctx context.Context, account, id string) (domain.Participant, error) {
	return get(ctx, st, key(accountPK(account), prefixPart+id), "participant", func(m map[string]types.AttributeValue) (domain.Participant, error) {
		return st.unmarshalParticipant(ctx, m)
	})
}

// ListParticipants pages through an account's participants, oldest first.
func (st *Store) ListParticipants(ctx context.Context, account string, page paging.Page) ([]domain.Participant, string, error) {
	out := []domain.Participant{}
	next, err := st.queryPage(ctx, partition{pk: accountPK(account), prefix: prefixPart}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		p, err := st.unmarshalParticipant(ctx, m)
		out = append(out, p)
		return true, err
	}, consistent)
	return out, next, err
}
