package store

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
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
	indexGSI3  = "GSI3"
)

// Partition and sort key values; DESIGN.md lists what lives where.
const (
	skCentre       = "CENTRE"
	skOffering     = "OFFERING"
	skListing      = "LISTING"
	gsiAllCentres  = "CENTRES"
	gsiPublished   = "PUB"
	prefixBooking  = "BOOKING#"
	prefixPart     = "PARTICIPANT#"
	prefixPartID   = "PARTICIPANT_IDENTITY#"
	skPartCount    = "PARTICIPANT_COUNT"
	prefixConsent  = "CONSENT#"
	prefixMessage  = "MESSAGE#"
	prefixWait     = "WAIT#"
	prefixIdem     = "IDEMPOTENCY#"
	prefixHeld     = "held#" // an attribute of the PERSON item: heldAttr
	prefixRoster   = "ROSTER#"
	prefixOffering = "OFFERING#"
	prefixAudit    = "AUDIT#"
	prefixAttend   = "ATTENDANCE#"
	prefixNoShow   = "NOSHOW#"
	prefixCity     = "CITY#"
	pkLedger       = "LEDGER"
	pkSnapshot     = "SNAPSHOT"
	pkTarget       = "TARGET"
	pkKeyring      = "KEYRING"
	prefixDataKey  = "PERSONAL_DATA#"
	// Issue 12, resident routes: an account's message preferences, its
	// calendar feed (the secret's hash) and the feed's lookup by hash.
	skMessagePrefs     = "MESSAGE_PREFERENCES"
	skCalendarFeed     = "CALENDAR_FEED"
	prefixCalendarFeed = "CALENDAR_FEED#"
)

func centrePK(id string) string   { return "CENTRE#" + id }
func offeringPK(id string) string { return prefixOffering + id }
func accountPK(sub string) string { return "ACCOUNT#" + sub }
func identityPK(h string) string  { return "IDENTITY#" + h }

// stampKey pads a stamp so that string order is arrival order.
func stampKey(stamp int64) string { return fmt.Sprintf("%019d", stamp) }

// waitSK is a booking's place in its offering's line: by stamp, then a
// sibling group's bookings together (they share the stamp, their rank),
// then the booking's id, so the order is the same at every read.
func waitSK(stamp int64, group, bookingID string) string {
	if group != "" {
		return prefixWait + stampKey(stamp) + "#" + group + "#" + bookingID
	}
	return prefixWait + stampKey(stamp) + "#" + bookingID
}

// noShowSK holds an identity's unexcused absences in one kind and term, as a
// string set of "<offering>#<date>", so recording a day twice counts once.
func noShowSK(kind domain.Kind, term string) string {
	return prefixNoShow + string(kind) + "#" + term
}

// termAttrs are the names of the attributes of an identity's PERSON item
// for one kind and term: how many active bookings it holds and any no-show
// block. (They were a TERM#<kind>#<term> item of their own, which a
// booking wrote beside a check of PERSON: one item now, written once.)
type termAttrs struct{ active, blockedUntil, blockAbsences, becauseOf string }

func termOf(kind domain.Kind, term string) termAttrs {
	kt := "#" + string(kind) + "#" + term
	return termAttrs{"active" + kt, "blocked_until" + kt, "block_absences" + kt, "because_of" + kt}
}

// An offered booking is in GSI1 under OFFER_DUE#<shard> (a hash of its id)
// sorted by its deadline, so the expiry job finds the offers due, and those
// to warn, with one Query per shard; the keys leave the booking when the
// offer ends (accepted, declined, expired). Issue 13.
const (
	prefixOfferDue = "OFFER_DUE#"
	// OfferDueShards is how many partitions the offers spread over.
	OfferDueShards = 4
)

func offerDueKeys(bookingID string, until time.Time) (pk, sk string) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(bookingID))
	return prefixOfferDue + strconv.Itoa(int(h.Sum32()%OfferDueShards)), stampKey(until.UnixNano()) + "#" + bookingID
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func s(v string) types.AttributeValue  { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue   { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }
func nAttr(v int) types.AttributeValue { return n(int64(v)) }
