package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Account is everything stored under one account, read whole.
type Account struct {
	Participants []domain.Participant
	// Bookings still carrying personal data; erased ones have left the
	// account and are not here.
	Bookings []domain.Booking
	// Applications to lottery offerings, every status.
	Applications []domain.Application
	Consents     []Consent
	Messages     []Message
	// Preferences are the account's message channels as chosen; nil when
	// never chosen. CalendarFeed is its feed; nil without one.
	Preferences  *Preferences
	CalendarFeed *CalendarFeed
	// Disposable are the keys of the account's items that hold nothing the
	// city or a proof of consent needs: messages, idempotency records,
	// identity markers, message preferences, the calendar feed and its
	// lookup. Deleting the account deletes them.
	Disposable []map[string]types.AttributeValue
	// Items is how many items the account holds.
	Items int
}

// MaxAccountItems bounds an export; deleting an account reads it whole,
// however large. An account holds at most 8 participants, a consent each,
// and their bookings (a few a term each): 5,000 items is decades of use,
// and about 3 MB of JSON, inside the 6 MB that Lambda and API Gateway let
// a response be.
const MaxAccountItems = 5000

// accountPage is the items one Query of an account reads: a page under
// DynamoDB's 1 MB, so the paging is the same on every emulator.
const accountPage = 500

// ReadAccount reads the account's partition whole, one strongly consistent
// Query per 500 items, oldest first within each kind of item (bookings by
// when each was made: oldestFirst).
func (st *Store) ReadAccount(ctx context.Context, account string) (Account, error) {
	a := Account{Participants: []domain.Participant{}, Bookings: []domain.Booking{}, Applications: []domain.Application{}, Consents: []Consent{}, Messages: []Message{}}
	err := st.queryAll(ctx, partition{pk: accountPK(account)}, func(m map[string]types.AttributeValue) error {
		a.Items++
		sk := m[attrSK].(*types.AttributeValueMemberS).Value
		switch {
		case strings.HasPrefix(sk, prefixPart):
			p, err := st.unmarshalParticipant(ctx, m)
			a.Participants = append(a.Participants, p)
			return err
		case strings.HasPrefix(sk, prefixBooking):
			b, err := st.unmarshalBooking(ctx, m)
			if !b.Erased {
				a.Bookings = append(a.Bookings, b)
			}
			return err
		case strings.HasPrefix(sk, prefixApplication):
			// Deleting the account deletes the record with it, as before.
			ap, err := st.unmarshalApplication(ctx, m)
			a.Applications = append(a.Applications, ap)
			a.Disposable = append(a.Disposable, key(accountPK(account), sk))
			return err
		case strings.HasPrefix(sk, prefixConsent):
			var c Consent
			err := attributevalue.UnmarshalMap(m, &c)
			a.Consents = append(a.Consents, c)
			return err
		case sk == skMessagePrefs:
			p, err := unmarshalPreferences(m)
			a.Preferences = &p
			a.Disposable = append(a.Disposable, key(accountPK(account), sk))
			return err
		case sk == skCalendarFeed:
			// The feed's lookup goes with the account, or its address
			// would still answer.
			f, err := unmarshalCalendarFeed(m)
			a.CalendarFeed = &f
			a.Disposable = append(a.Disposable, key(accountPK(account), sk), calendarFeedLookup(f.Hash))
			return err
		case strings.HasPrefix(sk, prefixMessage):
			msg, err := unmarshalMessage(m)
			a.Messages = append(a.Messages, msg)
			a.Disposable = append(a.Disposable, key(accountPK(account), sk))
			return err
		default:
			a.Disposable = append(a.Disposable, key(accountPK(account), sk))
			return nil
		}
	}, consistent, func(q *dynamodb.QueryInput) { q.Limit = aws.Int32(accountPage) })
	oldestFirst(a.Bookings)
	return a, err
}

// DeleteItems deletes items by key, 25 to a BatchWriteItem.
func (st *Store) DeleteItems(ctx context.Context, keys []map[string]types.AttributeValue) error {
	return st.batchDelete(ctx, keys)
}
