// Package dispatcher is the job that sends what the outbox holds: every
// minute it drains the due notices to the residents' channels and the
// city's bus (shared/delivery).
package dispatcher

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	sms "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	ses "github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/delivery"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Outlets are where the dispatcher sends: the channels, the directory of
// contacts, the bus. AWS's from the configuration; the local stack's
// record in memory.
type Outlets struct {
	Channels []delivery.Channel
	Contacts delivery.Contacts
	Bus      delivery.Bus
}

// New is the job DispatcherFunction runs on its schedule, sending through
// AWS as its configuration says.
func New(d lambdafn.Deps) lambdafn.Job {
	o, err := FromConfig(context.Background(), d.Config, d.Now)
	if err != nil {
		d.Log.Error("dispatcher configuration", "error", err.Error())
	}
	return NewWith(d, o)
}

// NewWith is the job sending through o.
func NewWith(d lambdafn.Deps, o Outlets) lambdafn.Job {
	svc := &delivery.Service{Store: d.Store, Channels: o.Channels, Contacts: o.Contacts, Bus: o.Bus, Now: d.Now, Log: d.Log}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now()
		res, err := svc.Drain(ctx)
		attrs := []any{"due", res.Due, "sent", res.Sent, "finished", res.Finished, "retried", res.Retried,
			"dead", res.Dead, "lost", res.Lost, "ms", d.Now().Sub(started).Milliseconds()}
		if len(res.Delays) > 0 {
			slices.Sort(res.Delays)
			attrs = append(attrs, "delay_p50_ms", res.Delays[len(res.Delays)/2].Milliseconds(), "delay_max_ms", res.Delays[len(res.Delays)-1].Milliseconds())
		}
		if err != nil {
			d.Log.Error("dispatch", append(attrs, "error", err.Error())...)
			return err
		}
		// An idle minute is not worth a line at INFO.
		level := slog.LevelInfo
		if res.Due == 0 {
			level = slog.LevelDebug
		}
		d.Log.Log(ctx, level, "dispatch", attrs...)
		return nil
	}
}

// FromConfig builds the AWS outlets cfg names; a channel without its
// setting is left out (its residents' notices dead-letter as "no verified
// contact" only if they chose nothing else). Without a user pool there is
// no directory (Contacts nil): messages are in the app only.
func FromConfig(ctx context.Context, cfg config.Config, now func() time.Time) (Outlets, error) {
	var o Outlets
	m := cfg.Messages
	awsCfg, err := config.AWS(ctx, cfg.Region, "")
	if err != nil {
		return o, err
	}
	if m.SMSOriginationIdentity != "" {
		o.Channels = append(o.Channels, &channels.SMS{Client: sms.NewFromConfig(awsCfg), OriginationIdentity: m.SMSOriginationIdentity, Keyword: m.SMSKeyword})
	}
	if m.EmailFrom != "" {
		o.Channels = append(o.Channels, &channels.Email{Client: ses.NewFromConfig(awsCfg), From: m.EmailFrom})
	}
	if m.WeChatAppID != "" {
		secrets := secretReader{aws: awsCfg, http: &http.Client{Timeout: 10 * time.Second}, endpoint: endpointFor(cfg.Region), now: now}
		templates := map[notices.Event]string{}
		for ev, id := range m.WeChatTemplates {
			templates[notices.Event(ev)] = id
		}
		o.Channels = append(o.Channels, &channels.WeChat{HTTP: &http.Client{Timeout: 10 * time.Second}, BaseURL: "https://api.weixin.qq.com",
			AppID: m.WeChatAppID, Templates: templates, Now: now,
			// Asked only when the access token is renewed (every two hours).
			Secret: func(ctx context.Context) (string, error) { return secrets.get(ctx, m.WeChatCredentialsARN) }})
	}
	if m.CityBusName != "" {
		o.Bus = &citybus.Bus{Client: eventbridge.NewFromConfig(awsCfg), Name: m.CityBusName}
	}
	if cfg.UserPoolID == "" {
		// No user pool (AuthMode oidc): no directory of addresses, so
		// residents' messages are in the app only (delivery.InApp).
		return o, nil
	}
	dir, err := contacts.FromConfig(ctx, cfg)
	if err != nil {
		o.Contacts = noDirectory{}
		return o, err
	}
	o.Contacts = dir
	return o, nil
}

// noDirectory is a function whose directory could not be made: every
// look-up fails, so the notices wait (and dead-letter after their attempts)
// instead of vanishing.
type noDirectory struct{}

func (noDirectory) Contact(context.Context, string) (contacts.Contact, error) {
	return contacts.Contact{}, errors.New("no user pool configured")
}
