package channels

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sms "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// SMSAPI is what SMS calls; *pinpointsmsvoicev2.Client has it.
type SMSAPI interface {
	SendTextMessage(ctx context.Context, in *sms.SendTextMessageInput, opts ...func(*sms.Options)) (*sms.SendTextMessageOutput, error)
}

// SMS sends the Chinese text as one transactional message through AWS End
// User Messaging. The carrier adds the registered signature (【…】) of the
// origination identity; the text is kept short enough for one segment
// with it (shared/notices).
type SMS struct {
	Client SMSAPI
	// OriginationIdentity is the sender: a sender id, phone number or pool
	// (id or ARN) registered for mainland China.
	OriginationIdentity string
	// ConfigurationSet and Keyword are sent when set: the configuration set
	// whose event destination logs delivery, the registered keyword.
	ConfigurationSet string
	Keyword          string
}

// Name is "sms".
func (*SMS) Name() string { return "sms" }

// smsPermanent are the refusals retrying cannot mend: an invalid or
// blocked number (ValidationException), an opted-out one (ConflictException).
var smsPermanent = map[string]bool{"ValidationException": true, "ConflictException": true}

// Send sends n's Chinese text to the verified phone number; the send key
// goes in Context, so the delivery log can tell a resend.
func (c *SMS) Send(ctx context.Context, to contacts.Contact, n notices.Notice, key string) error {
	text, _ := n.Text()
	in := &sms.SendTextMessageInput{
		DestinationPhoneNumber: aws.String(to.Phone), OriginationIdentity: aws.String(c.OriginationIdentity),
		MessageBody: aws.String(text.ZH), MessageType: types.MessageTypeTransactional,
		Context: map[string]string{"send_key": key, "event": string(n.Event)},
	}
	if c.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(c.ConfigurationSet)
	}
	if c.Keyword != "" {
		in.Keyword = aws.String(c.Keyword)
	}
	if _, err := c.Client.SendTextMessage(ctx, in); err != nil {
		return awsError("sms", err, smsPermanent)
	}
	return nil
}
