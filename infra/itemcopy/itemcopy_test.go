package itemcopy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestRewrite: names, strings, bytes, sets, lists and maps get the new id;
// numbers and other values stay.
func TestRewrite(t *testing.T) {
	rp := strings.NewReplacer("acc7", "acc42")
	item := map[string]types.AttributeValue{
		"PK":        &types.AttributeValueMemberS{Value: "ACCOUNT#acc7"},
		"live#acc7": &types.AttributeValueMemberS{Value: "pt_1"},
		"sealed":    &types.AttributeValueMemberB{Value: []byte("x-acc7")},
		"tags":      &types.AttributeValueMemberSS{Value: []string{"acc7", "other"}},
		"list":      &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "acc7"}, &types.AttributeValueMemberN{Value: "7"}}},
		"map":       &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"acc7": &types.AttributeValueMemberBOOL{Value: true}}},
	}
	want := map[string]types.AttributeValue{
		"PK":         &types.AttributeValueMemberS{Value: "ACCOUNT#acc42"},
		"live#acc42": &types.AttributeValueMemberS{Value: "pt_1"},
		"sealed":     &types.AttributeValueMemberB{Value: []byte("x-acc42")},
		"tags":       &types.AttributeValueMemberSS{Value: []string{"acc42", "other"}},
		"list":       &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "acc42"}, &types.AttributeValueMemberN{Value: "7"}}},
		"map":        &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"acc42": &types.AttributeValueMemberBOOL{Value: true}}},
	}
	if got := Rewrite(item, rp); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	if _, ok := item["PK"].(*types.AttributeValueMemberS); !ok || item["PK"].(*types.AttributeValueMemberS).Value != "ACCOUNT#acc7" {
		t.Error("the original item changed")
	}
}
