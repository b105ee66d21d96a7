package residents

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Messages are what was sent to a resident, and the channels they choose.
type Messages struct {
	Store *store.Store
	Now   func() time.Time
}

// List pages through the account's messages, newest first, with times in
// the city's zone.
func (m *Messages) List(ctx context.Context, account string, page paging.Page) ([]store.Message, string, error) {
	msgs, next, err := m.Store.MessagesPage(ctx, account, page)
	for i := range msgs {
		msgs[i].SentAt = msgs[i].SentAt.In(domain.CityZone)
	}
	return msgs, next, err
}

// Preferences are the account's channels (the default until it chooses).
func (m *Messages) Preferences(ctx context.Context, account string) ([]string, error) {
	return m.Store.MessagePreferences(ctx, account)
}

// SetPreferences replaces the account's channels with a valid choice
// (domain.CheckChannels) and answers what is now held.
func (m *Messages) SetPreferences(ctx context.Context, account string, channels []string) ([]string, error) {
	if err := domain.CheckChannels(channels); err != nil {
		return nil, err
	}
	if err := m.Store.PutMessagePreferences(ctx, account, channels, m.Now()); err != nil {
		return nil, err
	}
	return channels, nil
}
