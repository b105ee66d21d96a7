package store

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key attribute names and index names, as declared in template.yaml.
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrGSI2PK = "GSI2PK"
	attrGSI2SK = "GSI2SK"
	indexGSI1  = "GSI1"
	indexGSI2  = "GSI2"
)

// Partition and sort key values; DESIGN.md lists what lives where.
const (
	skCentre       = "CENTRE"
	skOffering     = "OFFERING"
	gsiAllCentres  = "CENTRES"
	gsiPublished   = "PUB"
	prefixBooking  = "BOOKING#"
	prefixPart     = "PARTICIPANT#"
	prefixPartID   = "PARTICIPANT_IDENTITY#"
	prefixWait     = "WAIT#"
	prefixIdem     = "IDEMPOTENCY#"
	prefixActive   = "ACTIVE#"
	prefixTerm     = "TERM#"
	prefixRoster   = "ROSTER#"
	prefixOffering = "OFFERING#"
)

func centrePK(id string) string   { return "CENTRE#" + id }
func offeringPK(id string) string { return prefixOffering + id }
func accountPK(sub string) string { return "ACCOUNT#" + sub }
func identityPK(h string) string  { return "IDENTITY#" + h }

// stampKey pads a stamp so that string order is arrival order.
func stampKey(stamp int64) string { return fmt.Sprintf("%019d", stamp) }

func waitSK(stamp int64, bookingID string) string {
	return prefixWait + stampKey(stamp) + "#" + bookingID
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue  { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }
