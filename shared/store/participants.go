package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

type participantItem struct {
	PK, SK    string
	Type      string `dynamodbav:"type"`
	ID        string `dynamodbav:"id"`
	Personal  []byte `dynamodbav:"personal,omitempty"` // sealed name, birth date, last4
	Identity  string `dynamodbav:"identity"`
	Account   string `dynamodbav:"account"`
	CreatedAt string `dynamodbav:"created_at"`
	// Set by VerifyIdentity: when and by which staff member.
	VerifiedAt string `dynamodbav:"verified_at,omitempty"`
	VerifiedBy string `dynamodbav:"verified_by,omitempty"`
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
		CreatedAt: parseTime(it.CreatedAt), Account: it.Account, Identity: it.Identity}
	if it.VerifiedAt != "" {
		at := parseTime(it.VerifiedAt)
		out.Verified, out.VerifiedAt = true, &at
	}
	return out, nil
}

// CreateParticipant stores a participant and, in the same transaction, a
// marker of its identity in the account, so one account cannot register the
// same person twice, and its entry in the identity's registry (refused when
// another account verified the identity).
func (st *Store) CreateParticipant(ctx context.Context, p domain.Participant) error {
	it := participantItem{PK: accountPK(p.Account), SK: prefixPart + p.ID, Type: "participant", ID: p.ID,
		Identity: p.Identity, Account: p.Account, CreatedAt: utc(p.CreatedAt)}
	sealed, err := st.seal(ctx, it.PK, it.SK, personal{Name: p.Name, BirthDate: p.BirthDate, Last4: p.IDNumberLast4})
	if err != nil {
		return err
	}
	it.Personal = sealed
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return classify(err)
	}
	marker := key(accountPK(p.Account), prefixPartID+p.Identity)
	marker["participant_id"] = s(p.ID)
	var t txn
	st.registryItems(&t, p) // first: a refusal there is the answer
	t.add(refusal(apperr.New(apperr.Conflict, "此身份证号已在您的账号中登记", "This ID number is already registered in your account")),
		types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: marker, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	// Nothing is read first, so a lost race (on the city's count) just writes again.
	return st.Retry.Do(ctx, func(int) error { return st.transact(ctx, &t) })
}

// GetParticipant reads one of an account's participants.
func (st *Store) GetParticipant(ctx context.Context, account, id string) (domain.Participant, error) {
	return get(ctx, st, key(accountPK(account), prefixPart+id), "participant", func(m map[string]types.AttributeValue) (domain.Participant, error) {
		return st.unmarshalParticipant(ctx, m)
	})
}

// ListParticipants pages through an account's participants, oldest first.
func (st *Store) ListParticipants(ctx context.Context, account string, page Page) ([]domain.Participant, string, error) {
	out := []domain.Participant{}
	next, err := st.queryPage(ctx, partition{pk: accountPK(account), prefix: prefixPart}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		p, err := st.unmarshalParticipant(ctx, m)
		out = append(out, p)
		return true, err
	}, consistent)
	return out, next, err
}
