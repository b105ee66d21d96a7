package openingnight

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	mini "github.com/truora/minidyn/types"
)

// toMini is m in minidyn's types, for its expression interpreter (nil for nil).
func toMini(m map[string]types.AttributeValue) map[string]*mini.Item {
	if m == nil {
		return nil
	}
	out := make(map[string]*mini.Item, len(m))
	for k, v := range m {
		out[k] = toMiniValue(v)
	}
	return out
}

func toMiniValue(v types.AttributeValue) *mini.Item {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		s := v.Value
		return &mini.Item{S: &s}
	case *types.AttributeValueMemberN:
		n := v.Value
		return &mini.Item{N: &n}
	case *types.AttributeValueMemberB:
		return &mini.Item{B: v.Value}
	case *types.AttributeValueMemberBOOL:
		b := v.Value
		return &mini.Item{BOOL: &b}
	case *types.AttributeValueMemberNULL:
		b := v.Value
		return &mini.Item{NULL: &b}
	case *types.AttributeValueMemberSS:
		return &mini.Item{SS: ptrs(v.Value)}
	case *types.AttributeValueMemberNS:
		return &mini.Item{NS: ptrs(v.Value)}
	case *types.AttributeValueMemberBS:
		return &mini.Item{BS: v.Value}
	case *types.AttributeValueMemberL:
		l := make([]*mini.Item, len(v.Value))
		for i, x := range v.Value {
			l[i] = toMiniValue(x)
		}
		return &mini.Item{L: l}
	case *types.AttributeValueMemberM:
		return &mini.Item{M: toMini(v.Value)}
	}
	return &mini.Item{}
}

func ptrs(ss []string) []*string {
	out := make([]*string, len(ss))
	for i := range ss {
		s := ss[i]
		out[i] = &s
	}
	return out
}

func vals(ps []*string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// fromMini is toMini's inverse.
func fromMini(m map[string]*mini.Item) map[string]types.AttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = fromMiniValue(v)
		}
	}
	return out
}

func fromMiniValue(v *mini.Item) types.AttributeValue {
	switch {
	case v.S != nil:
		return &types.AttributeValueMemberS{Value: *v.S}
	case v.N != nil:
		return &types.AttributeValueMemberN{Value: *v.N}
	case v.B != nil:
		return &types.AttributeValueMemberB{Value: v.B}
	case v.BOOL != nil:
		return &types.AttributeValueMemberBOOL{Value: *v.BOOL}
	case v.NULL != nil:
		return &types.AttributeValueMemberNULL{Value: *v.NULL}
	case v.SS != nil:
		return &types.AttributeValueMemberSS{Value: vals(v.SS)}
	case v.NS != nil:
		return &types.AttributeValueMemberNS{Value: vals(v.NS)}
	case v.BS != nil:
		return &types.AttributeValueMemberBS{Value: v.BS}
	case v.L != nil:
		l := make([]types.AttributeValue, len(v.L))
		for i, x := range v.L {
			l[i] = fromMiniValue(x)
		}
		return &types.AttributeValueMemberL{Value: l}
	case v.M != nil:
		return &types.AttributeValueMemberM{Value: fromMini(v.M)}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}

// sizeOf is an item's size as DynamoDB counts it, closely enough: names
// and values' lengths (a number about one byte per two digits).
func sizeOf(m map[string]types.AttributeValue) int {
	n := 0
	for k, v := range m {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += len(s)/2 + 1
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, x := range v.Value {
			n += 1 + valueSize(x)
		}
		return n
	case *types.AttributeValueMemberM:
		return 3 + sizeOf(v.Value)
	}
	return 1
}
