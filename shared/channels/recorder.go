package channels

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Sent is one call of a recorded channel.
type Sent struct {
	To      string    `json:"to"`
	Channel string    `json:"channel"`
	Account string    `json:"account"`
	Event   string    `json:"event"`
	Text    string    `json:"text"`
	Key     string    `json:"send_key"`
	At      time.Time `json:"at"`
}

// Recorder keeps every message its channels are asked to send, in memory:
// the local stack's channels, and tests that count what each person got.
// Safe for concurrent use.
type Recorder struct {
	Now  func() time.Time
	mu   sync.Mutex
	sent []Sent
}

// Channel is the recorder's channel name ("sms", "email", "wechat").
func (r *Recorder) Channel(name string) *Recorded { return &Recorded{r: r, name: name} }

// Sent is every call so far, oldest first.
func (r *Recorder) Sent() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// Recorded is one channel of a Recorder.
type Recorded struct {
	r    *Recorder
	name string
}

// Name is the channel's name.
func (c *Recorded) Name() string { return c.name }

// Send records the message as it would go out: the Chinese text and the
// English beside it.
func (c *Recorded) Send(_ context.Context, to contacts.Contact, n notices.Notice, key string) error {
	text, _ := n.Text()
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.r.sent = append(c.r.sent, Sent{To: to.Address(c.name), Channel: c.name, Account: n.Account, Event: string(n.Event),
		Text: text.ZH + " / " + text.EN, Key: key, At: c.r.Now()})
	return nil
}
