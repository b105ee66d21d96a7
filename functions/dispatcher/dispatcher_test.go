package dispatcher_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/delivery"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestFromConfig: each configured channel is built, in the order SMS,
// e-mail, WeChat, with the bus; an unconfigured one is left out; without a
// user pool there is no directory (messages in the app only).
func TestFromConfig(t *testing.T) {
	ctx := context.Background()
	cfg := config.Config{Region: "cn-north-1", UserPoolID: "cn-north-1_AbC123", Messages: config.Messages{
		SMSOriginationIdentity: "arn:aws-cn:sms-voice:cn-north-1:111122223333:sender-id/WXJY/CN", EmailFrom: "n@x.cn",
		WeChatAppID: "wx0123456789abcdef", WeChatCredentialsARN: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:w", CityBusName: "city",
	}}
	o, err := dispatcher.FromConfig(ctx, cfg, clock.Fixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range o.Channels {
		names = append(names, c.Name())
	}
	if !slices.Equal(names, []string{"sms", "email", "wechat"}) || o.Bus == nil || o.Contacts == nil {
		t.Fatalf("channels %v, bus %v, contacts %v", names, o.Bus, o.Contacts)
	}
	cfg.Messages.EmailFrom, cfg.Messages.CityBusName = "", ""
	o, err = dispatcher.FromConfig(ctx, cfg, clock.Fixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	if err != nil || len(o.Channels) != 2 || o.Bus != nil || o.Contacts == nil {
		t.Fatalf("partly configured: %+v %v", o, err)
	}
	// The China regions' deployment: no user pool, no channel, the bus.
	cfg.Messages, cfg.UserPoolID = config.Messages{CityBusName: "city"}, ""
	o, err = dispatcher.FromConfig(ctx, cfg, clock.Fixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	if err != nil || len(o.Channels) != 0 || o.Bus == nil || o.Contacts != nil {
		t.Fatalf("no user pool, no channels: %+v %v", o, err)
	}
}

// TestWithoutDirectory: the dispatcher as DispatcherFunction builds it
// with no user pool and no channel (AuthMode oidc in the China regions)
// runs, and a resident's notice becomes a message in the app (channel
// app, sent), not a dead letter.
func TestWithoutDirectory(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	d.Config.UserPoolID, d.Config.Messages = "", config.Messages{}
	ctx := context.Background()
	n := notices.New(notices.Promoted, now)
	n.Account, n.OfferingID, n.BookingID, n.CentreID, n.Kind, n.Title, n.FirstSession = "acct-1", "o1", "b1", "c1", domain.Childcare, "阳光托班", "2026-03-09"
	if err := d.Store.PutNotice(ctx, n); err != nil {
		t.Fatal(err)
	}
	if err := dispatcher.New(d)(ctx, now); err != nil {
		t.Fatal(err)
	}
	msgs, err := d.Store.ListMessages(ctx, "acct-1")
	if err != nil || len(msgs) != 1 || msgs[0].Channel != delivery.InApp || msgs[0].Status != "sent" {
		t.Fatalf("messages %+v %v, want one in the app", msgs, err)
	}
	left, err := d.Store.OutboxEntries(ctx)
	if err != nil || len(left) != 0 {
		t.Fatalf("outbox %+v %v, want it drained", left, err)
	}
}
