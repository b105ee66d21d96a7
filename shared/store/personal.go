package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// attrPersonal is the one attribute of a participant or booking item that
// holds personal fields, sealed: erasing personal data removes it.
const attrPersonal = "personal"

// Sealer encrypts an item's personal fields, bound to the item's key
// (keycustody.Sealer).
type Sealer interface {
	Seal(ctx context.Context, bind string, plain []byte) ([]byte, error)
	Open(ctx context.Context, bind string, blob []byte) ([]byte, error)
}

// errNoSealer: this function was given no personal-data key, so it may not
// read or write personal fields (least privilege, not a fault to retry).
var errNoSealer = errors.New("store: no personal-data key configured for this function")

// personal are the fields sealed in attrPersonal: everything that names or
// narrows down a person. The identity (an HMAC computed in KMS) stays in the
// clear, as it is a key of other items.
type personal struct {
	Name      string `json:"name,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
	Last4     string `json:"id_number_last4,omitempty"`
	// Siblings applying with the participant as one unit (issue 14).
	Siblings []personal `json:"siblings,omitempty"`
}

// bindTo names an item for its sealed value: a value copied to another item
// does not open there.
func bindTo(pk, sk string) string { return pk + "\x00" + sk }

func (st *Store) seal(ctx context.Context, pk, sk string, p personal) ([]byte, error) {
	if st.sealer == nil {
		return nil, internal(errNoSealer)
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, internal(err)
	}
	return st.sealer.Seal(ctx, bindTo(pk, sk), plain)
}

// open reads a sealed value; an item without one (its personal data erased)
// has no personal fields.
func (st *Store) open(ctx context.Context, pk, sk string, blob []byte) (personal, error) {
	var p personal
	if len(blob) == 0 {
		return p, nil
	}
	if st.sealer == nil {
		return p, internal(errNoSealer)
	}
	plain, err := st.sealer.Open(ctx, bindTo(pk, sk), blob)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		return p, internal(err)
	}
	return p, nil
}

// Keyring keeps the wrapped data keys of personal fields in the table
// (keycustody.Keyring): `KEYRING` / `PERSONAL_DATA#v<n>`, `wrapped_key`.
// It needs no sealer, so it is built before the store that uses it.
type Keyring struct {
	db    *dynamodb.Client
	table string
}

// NewKeyring is the keyring in table.
func NewKeyring(db *dynamodb.Client, table string) *Keyring { return &Keyring{db: db, table: table} }

func keyringKey(version int) map[string]types.AttributeValue {
	return key(pkKeyring, fmt.Sprintf("%sv%d", prefixDataKey, version))
}

// DataKey is the wrapped data key of version, or nil.
func (k *Keyring) DataKey(ctx context.Context, version int) ([]byte, error) {
	out, err := k.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &k.table, Key: keyringKey(version), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return nil, classify(err)
	}
	var it struct {
		Wrapped []byte `dynamodbav:"wrapped_key"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, classify(err)
	}
	return it.Wrapped, nil
}

// PutDataKey stores wrapped unless a key of version is there, and returns
// the one stored.
func (k *Keyring) PutDataKey(ctx context.Context, version int, wrapped []byte) ([]byte, error) {
	item := keyringKey(version)
	item["type"], item["version"] = s("keyring"), n(int64(version))
	item["wrapped_key"] = &types.AttributeValueMemberB{Value: wrapped}
	_, err := k.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &k.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if isConditionFailed(err) {
		return k.DataKey(ctx, version)
	}
	if err != nil {
		return nil, classify(err)
	}
	return wrapped, nil
}
