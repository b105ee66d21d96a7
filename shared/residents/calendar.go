package residents

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/wuxi-enrol/enrol/shared/calendars"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Calendar is a resident's bookings as iCalendar, and the secret feed
// address calendar apps subscribe to.
type Calendar struct {
	Store *store.Store
	Now   func() time.Time
}

// FeedPath is where a feed is served: FeedPath + the secret.
const FeedPath = "/v1/calendar-feeds/"

// feedSecretBytes: 256 bits, which nobody guesses.
const feedSecretBytes = 32

// Of is the account's calendar (calendars.Build): every booking shown, or,
// with bookingID, that one booking's (another account's is not found).
func (c *Calendar) Of(ctx context.Context, account, bookingID string) (string, error) {
	var bs []domain.Booking
	if bookingID != "" {
		b, err := c.Store.GetBooking(ctx, account, bookingID)
		if err != nil {
			return "", err
		}
		bs = []domain.Booking{b}
	} else {
		var err error
		if bs, err = c.Store.AccountBookings(ctx, account); err != nil {
			return "", err
		}
	}
	now := c.Now()
	var shown []domain.Booking
	var offeringIDs []string
	for _, b := range bs {
		if calendars.Shown(b, now) {
			shown = append(shown, b)
			offeringIDs = append(offeringIDs, b.OfferingID)
		}
	}
	offerings, err := c.Store.OfferingsByID(ctx, offeringIDs)
	if err != nil {
		return "", err
	}
	var centreIDs []string
	for _, o := range offerings {
		centreIDs = append(centreIDs, o.Centre.ID)
	}
	centres, err := c.Store.CentresByID(ctx, centreIDs)
	if err != nil {
		return "", err
	}
	entries := make([]calendars.Entry, 0, len(shown))
	for _, b := range shown {
		o, ok := offerings[b.OfferingID]
		if !ok {
			continue // an offering gone from the table has no sessions to show
		}
		entries = append(entries, calendars.Entry{Booking: b, Offering: o, Centre: centres[o.Centre.ID]})
	}
	return calendars.Build(entries, now), nil
}

// CreateFeed makes the account a new secret feed, replacing any earlier
// one (whose address then stops answering), and returns the secret; only
// its SHA-256 is stored.
func (c *Calendar) CreateFeed(ctx context.Context, account string) (string, error) {
	b := make([]byte, feedSecretBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	secret := base64.RawURLEncoding.EncodeToString(b)
	return secret, c.Store.ReplaceCalendarFeed(ctx, account, feedHash(secret), c.Now())
}

// RevokeFeed deletes the account's feed; without one it does nothing.
func (c *Calendar) RevokeFeed(ctx context.Context, account string) error {
	return c.Store.DeleteCalendarFeed(ctx, account)
}

// Feed is the calendar of the account whose feed secret is secret;
// not_found for a secret that no feed has (never made, replaced, revoked,
// or the account deleted).
func (c *Calendar) Feed(ctx context.Context, secret string) (string, error) {
	if !wellFormedSecret(secret) {
		return "", domain.NotFound("calendar feed")
	}
	account, err := c.Store.CalendarFeedAccount(ctx, feedHash(secret))
	if err != nil {
		return "", err
	}
	return c.Of(ctx, account, "")
}

func feedHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// wellFormedSecret: what CreateFeed makes (spares a read for anything else).
func wellFormedSecret(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == feedSecretBytes && base64.RawURLEncoding.EncodeToString(b) == s
}
