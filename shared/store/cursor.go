package store

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// A cursor is the last key a page ended on, as opaque base64 JSON. Only
// string and number key attributes occur in the table's keys.
func encodeCursor(key map[string]types.AttributeValue) string {
	if len(key) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range key {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			m[k] = v.Value
		case *types.AttributeValueMemberN:
			m[k] = "#" + v.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// keyTypes are the key attributes' types, as template.yaml declares them.
var keyTypes = map[string]types.ScalarAttributeType{
	attrPK: types.ScalarAttributeTypeS, attrSK: types.ScalarAttributeTypeS,
	attrGSI1PK: types.ScalarAttributeTypeS, attrGSI1SK: types.ScalarAttributeTypeS,
	attrGSI2PK: types.ScalarAttributeTypeS, attrGSI2SK: types.ScalarAttributeTypeS,
	"GSI3PK": types.ScalarAttributeTypeS, "GSI3SK": types.ScalarAttributeTypeS,
}

// decodeCursor reads a cursor for a Query of p and refuses one that is not
// exactly what that Query's LastEvaluatedKey would be: the table's key and,
// on an index, the index's key, nothing more or less, each of its declared
// type, in the partition being read and within its sort-key condition. So a
// forged cursor, or one from another list, reads nothing else and never
// reaches DynamoDB (which would fail the Query, a 500).
func decodeCursor(c string, p partition) (map[string]types.AttributeValue, error) {
	return decodeCursorWith(c, p, nil)
}

// decodeCursorWith is decodeCursor for a list in an order of its own (an
// account's bookings, by when each was made): the cursor holds the key
// and, besides it, exactly the attributes extra names, of their types.
func decodeCursorWith(c string, p partition, extra map[string]types.ScalarAttributeType) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	bad := domain.Refused(domain.RuleCursor)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var m map[string]string
	if json.Unmarshal(b, &m) != nil {
		return nil, bad
	}
	want := p.keyAttrs()
	for attr := range extra {
		want = append(want, attr)
	}
	if len(m) != len(want) {
		return nil, bad
	}
	key := map[string]types.AttributeValue{}
	for _, attr := range want {
		v, ok := m[attr]
		if !ok || v == "" {
			return nil, bad
		}
		typ, ok := extra[attr]
		if !ok {
			typ = keyTypes[attr]
		}
		switch typ {
		case types.ScalarAttributeTypeS:
			key[attr] = &types.AttributeValueMemberS{Value: v}
		case types.ScalarAttributeTypeN:
			if v[0] != '#' {
				return nil, bad
			}
			if _, err := strconv.ParseFloat(v[1:], 64); err != nil {
				return nil, bad
			}
			key[attr] = &types.AttributeValueMemberN{Value: v[1:]}
		default:
			return nil, bad
		}
	}
	pkAttr := p.pkAttr()
	if m[pkAttr] != p.pk || !p.holds(m[strings.TrimSuffix(pkAttr, "PK")+"SK"]) {
		return nil, bad
	}
	return key, nil
}

// keyAttrs are the attributes of a LastEvaluatedKey of a Query of p.
func (p partition) keyAttrs() []string {
	if p.index == "" {
		return []string{attrPK, attrSK}
	}
	return []string{attrPK, attrSK, p.index + "PK", p.index + "SK"}
}

// holds reports whether sort key sk meets p's key condition.
func (p partition) holds(sk string) bool {
	switch {
	case p.prefix != "":
		return strings.HasPrefix(sk, p.prefix)
	case p.from != "" && p.to != "":
		return p.from <= sk && sk <= p.to
	case p.from != "":
		return p.from <= sk
	}
	return true
}
