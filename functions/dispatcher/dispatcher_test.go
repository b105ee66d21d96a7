package dispatcher_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/config"
)

// TestFromConfig: each configured channel is built, in the order SMS,
// e-mail, WeChat, with the bus; an unconfigured one is left out; without a
// user pool no resident can be reached, which is an error at start.
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
	cfg.Messages.EmailFrom, cfg.Messages.CityBusName, cfg.UserPoolID = "", "", ""
	o, err = dispatcher.FromConfig(ctx, cfg, clock.Fixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	if err == nil || len(o.Channels) != 2 || o.Bus != nil {
		t.Fatalf("partly configured: %+v %v", o, err)
	}
	if _, err := o.Contacts.Contact(ctx, "s"); err == nil {
		t.Fatal("contacts without a user pool answered")
	}
}
