package store

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
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

// decodeCursor refuses a cursor that is not ours or that points outside the
// partition being queried (pkAttr = pkValue), so a forged cursor reads nothing else.
func decodeCursor(c, pkAttr, pkValue string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	bad := apperr.New(apperr.InvalidRequest, "cursor 无效", "The cursor is not valid").With("cursor", "无效", "not valid")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var m map[string]string
	if json.Unmarshal(b, &m) != nil || m[pkAttr] != pkValue || len(m) > 4 {
		return nil, bad
	}
	key := map[string]types.AttributeValue{}
	for k, v := range m {
		if len(v) > 0 && v[0] == '#' {
			if _, err := strconv.ParseFloat(v[1:], 64); err != nil {
				return nil, bad
			}
			key[k] = &types.AttributeValueMemberN{Value: v[1:]}
			continue
		}
		key[k] = &types.AttributeValueMemberS{Value: v}
	}
	return key, nil
}
