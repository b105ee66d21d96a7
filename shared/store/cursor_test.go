package store

import (
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
)

func TestCursorRoundTrip(t *testing.T) {
	k := map[string]types.AttributeValue{"PK": s("OFFERING#o1"), "SK": s("OFFERING"), "GSI1PK": s("PUB"), "GSI1SK": s("childcare#binhu#2025-09-01#o1")}
	c := encodeCursor(k)
	back, err := decodeCursor(c, "GSI1PK", "PUB")
	if err != nil || len(back) != 4 || back["GSI1SK"].(*types.AttributeValueMemberS).Value != "childcare#binhu#2025-09-01#o1" {
		t.Fatalf("%v %v", back, err)
	}
	if encodeCursor(nil) != "" {
		t.Fatal("no key, no cursor")
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	bad := []string{
		"!!!",
		enc("not json"),
		enc(`{"GSI1PK":"CENTRES","GSI1SK":"x","PK":"a","SK":"b"}`), // another partition
		enc(`{"GSI1PK":"PUB","a":"1","b":"2","c":"3","d":"4"}`),    // too many attributes
		enc(`{"GSI1PK":"PUB","n":"#notanumber"}`),
	}
	for _, c := range bad {
		if _, err := decodeCursor(c, "GSI1PK", "PUB"); !apperr.Is(err, apperr.InvalidRequest) {
			t.Errorf("cursor %q accepted: %v", c, err)
		}
	}
}
