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
	Name      string `dynamodbav:"name"`
	BirthDate string `dynamodbav:"birth_date"`
	Last4     string `dynamodbav:"id_number_last4"`
	Identity  string `dynamodbav:"identity"`
	Account   string `dynamodbav:"account"`
	CreatedAt string `dynamodbav:"created_at"`
	// RetainUntil, and its GSI3 key, say when the retention job erases the
	// participant (retention.go).
	RetainUntil    string `dynamodbav:"retain_until,omitempty"`
	GSI3PK, GSI3SK string `dynamodbav:",omitempty"`
}

func (it participantItem) participant() domain.Participant {
	return domain.Participant{ID: it.ID, Name: it.Name, BirthDate: it.BirthDate, IDNumberLast4: it.Last4,
		CreatedAt: parseTime(it.CreatedAt), Account: it.Account, Identity: it.Identity, RetainUntil: it.RetainUntil}
}

func unmarshalParticipant(m map[string]types.AttributeValue) (domain.Participant, error) {
	var it participantItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Participant{}, classify(err)
	}
	return it.participant(), nil
}

// CreateParticipant stores a participant and, in the same transaction, a
// marker of its identity in the account, so one account cannot register the
// same person twice.
func (st *Store) CreateParticipant(ctx context.Context, p domain.Participant) error {
	item, err := attributevalue.MarshalMap(participantItem{
		PK: accountPK(p.Account), SK: prefixPart + p.ID, Type: "participant", ID: p.ID, Name: p.Name,
		BirthDate: p.BirthDate, Last4: p.IDNumberLast4, Identity: p.Identity, Account: p.Account, CreatedAt: utc(p.CreatedAt),
		RetainUntil: retainedFrom(p.CreatedAt), GSI3PK: pkRetention, GSI3SK: retentionSK(retainedFrom(p.CreatedAt), p.Account, p.ID),
	})
	if err != nil {
		return classify(err)
	}
	marker := key(accountPK(p.Account), prefixPartID+p.Identity)
	marker["participant_id"] = s(p.ID)
	var t txn
	t.add(refusal(apperr.New(apperr.Conflict, "此身份证号已在您的账号中登记", "This ID number is already registered in your account")),
		types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: marker, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	return st.transact(ctx, &t)
}

// GetParticipant reads one of an account's participants.
func (st *Store) GetParticipant(ctx context.Context, account, id string) (domain.Participant, error) {
	return get(ctx, st, key(accountPK(account), prefixPart+id), "participant", unmarshalParticipant)
}

// ListParticipants pages through an account's participants, oldest first.
func (st *Store) ListParticipants(ctx context.Context, account string, page Page) ([]domain.Participant, string, error) {
	out := []domain.Participant{}
	next, err := st.queryPage(ctx, partition{pk: accountPK(account), prefix: prefixPart}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		p, err := unmarshalParticipant(m)
		out = append(out, p)
		return true, err
	}, consistent)
	return out, next, err
}
