// Package itemcopy rewrites a stored DynamoDB item for other ids: the
// opening-night model copies one seeded resident's items for each of its
// residents, and the grown-table benchmark one booking's for each of its
// bookings.
package itemcopy

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Rewrite is item with rp applied to every attribute name (a person item
// names accounts and offerings in them: live#<account>, held#<offering>)
// and to every string and binary value, nested ones too.
func Rewrite(item map[string]types.AttributeValue, rp *strings.Replacer) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(item))
	for k, v := range item {
		out[rp.Replace(k)] = value(v, rp)
	}
	return out
}

func value(v types.AttributeValue, rp *strings.Replacer) types.AttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: rp.Replace(v.Value)}
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: []byte(rp.Replace(string(v.Value)))}
	case *types.AttributeValueMemberSS:
		out := make([]string, len(v.Value))
		for i, s := range v.Value {
			out[i] = rp.Replace(s)
		}
		return &types.AttributeValueMemberSS{Value: out}
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(v.Value))
		for i, x := range v.Value {
			out[i] = value(x, rp)
		}
		return &types.AttributeValueMemberL{Value: out}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: Rewrite(v.Value, rp)}
	}
	return v
}
