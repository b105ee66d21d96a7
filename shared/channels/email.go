package channels

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	ses "github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// EmailAPI is what Email calls; *sesv2.Client has it.
type EmailAPI interface {
	SendEmail(ctx context.Context, in *ses.SendEmailInput, opts ...func(*ses.Options)) (*ses.SendEmailOutput, error)
}

// Email sends the message in Chinese with English beside it through SES v2,
// from a verified identity.
type Email struct {
	Client EmailAPI
	// From is the sender address, of a verified SES identity.
	From string
	// ConfigurationSet, when set, is the SES configuration set (delivery
	// and bounce events).
	ConfigurationSet string
}

// Name is "email".
func (*Email) Name() string { return "email" }

// emailPermanent: SES refused the message itself.
var emailPermanent = map[string]bool{"MessageRejected": true, "BadRequestException": true, "NotFoundException": true}

// subject heads every message; the body says what happened.
const subject = "无锡报名通知 / Wuxi enrolment notice"

// Send sends n to the verified address; the notice id is a message tag,
// so the delivery events can tell a resend.
func (c *Email) Send(ctx context.Context, to contacts.Contact, n notices.Notice, key string) error {
	text, _ := n.Text()
	in := &ses.SendEmailInput{
		FromEmailAddress: aws.String(c.From),
		Destination:      &types.Destination{ToAddresses: []string{to.Email}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject), Charset: aws.String("UTF-8")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(text.ZH + "\n\n" + text.EN), Charset: aws.String("UTF-8")}},
		}},
		// Tag values allow letters, digits, _ and -: the id, not the key.
		EmailTags: []types.MessageTag{{Name: aws.String("notice"), Value: aws.String(n.ID)}, {Name: aws.String("event"), Value: aws.String(string(n.Event))}},
	}
	if c.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(c.ConfigurationSet)
	}
	if _, err := c.Client.SendEmail(ctx, in); err != nil {
		return awsError("email", err, emailPermanent)
	}
	return nil
}
