package channels_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sms "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	ses "github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

var (
	at     = time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone)
	to     = contacts.Contact{Sub: "s1", Phone: "+8613800000001", Email: "a@example.cn", WeChatOpenID: "oABC"}
	notice = func() notices.Notice {
		n := notices.New(notices.OfferMade, at)
		n.Account, n.Title, n.FirstSession, n.Deadline = "s1", "阳光托班（周一至周五全日）", "2026-03-09", at.Add(48*time.Hour)
		return n
	}()
)

// provider is a stand-in for a service endpoint: it keeps each request
// and answers with the next of its replies (status, error type, body).
type provider struct {
	mu      sync.Mutex
	reqs    []*http.Request
	bodies  []string
	replies []reply
}

type reply struct {
	status  int
	errType string
	body    string
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.reqs, p.bodies = append(p.reqs, r), append(p.bodies, string(b))
	rep := reply{status: 200, body: "{}"}
	if len(p.replies) > 0 {
		rep, p.replies = p.replies[0], p.replies[1:]
	}
	p.mu.Unlock()
	if rep.errType != "" {
		w.Header().Set("X-Amzn-Errortype", rep.errType)
		rep.body = `{"__type":"` + rep.errType + `","message":"refused"}`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

func serve(t *testing.T, p *provider) string {
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

func awsConfig(url string) aws.Config {
	return aws.Config{Region: "cn-north-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
}

func isPermanent(err error) bool {
	var e *channels.Error
	return errors.As(err, &e) && e.Permanent()
}

// TestSMS: SendTextMessage carries the Chinese text alone, transactional,
// from the origination identity, with the send key in its context; a
// refused number is permanent, throttling and the service's faults are not.
func TestSMS(t *testing.T) {
	p := &provider{replies: []reply{{status: 200, body: `{"MessageId":"m1"}`},
		{status: 400, errType: "ValidationException"}, {status: 400, errType: "ThrottlingException"}, {status: 500, errType: "InternalServerException"}}}
	c := &channels.SMS{Client: sms.NewFromConfig(awsConfig(serve(t, p))), OriginationIdentity: "arn:aws-cn:sms-voice:cn-north-1:1:sender-id/WXJY/CN", ConfigurationSet: "enrol"}
	if err := c.Send(context.Background(), to, notice, notice.ID+"#sms"); err != nil {
		t.Fatal(err)
	}
	if got := p.reqs[0].Header.Get("X-Amz-Target"); got != "PinpointSMSVoiceV2.SendTextMessage" {
		t.Fatalf("target %q", got)
	}
	var in struct {
		DestinationPhoneNumber, OriginationIdentity, MessageBody, MessageType, ConfigurationSetName string
		Context                                                                                     map[string]string
	}
	if err := json.Unmarshal([]byte(p.bodies[0]), &in); err != nil {
		t.Fatal(err)
	}
	text, _ := notice.Text()
	if in.DestinationPhoneNumber != to.Phone || in.MessageBody != text.ZH || in.MessageType != "TRANSACTIONAL" ||
		in.OriginationIdentity != c.OriginationIdentity || in.ConfigurationSetName != "enrol" || in.Context["send_key"] != notice.ID+"#sms" {
		t.Fatalf("request %s", p.bodies[0])
	}
	for i, want := range []bool{true, false, false} {
		err := c.Send(context.Background(), to, notice, "k")
		if err == nil || isPermanent(err) != want {
			t.Errorf("reply %d: %v, permanent %v, want %v", i+1, err, isPermanent(err), want)
		}
	}
}

// TestEmail: SendEmail from the verified identity to the verified address,
// Chinese then English; MessageRejected is permanent, TooManyRequests not.
func TestEmail(t *testing.T) {
	p := &provider{replies: []reply{{status: 200, body: `{"MessageId":"m1"}`},
		{status: 400, errType: "MessageRejected"}, {status: 429, errType: "TooManyRequestsException"}}}
	c := &channels.Email{Client: ses.NewFromConfig(awsConfig(serve(t, p))), From: "通知 <notice@enrol.wuxi.gov.cn>"}
	if err := c.Send(context.Background(), to, notice, notice.ID+"#email"); err != nil {
		t.Fatal(err)
	}
	if r := p.reqs[0]; r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		t.Fatalf("%s %s", r.Method, r.URL.Path)
	}
	var in struct {
		FromEmailAddress string
		Destination      struct{ ToAddresses []string }
		Content          struct {
			Simple struct {
				Subject struct{ Data string }
				Body    struct{ Text struct{ Data string } }
			}
		}
	}
	if err := json.Unmarshal([]byte(p.bodies[0]), &in); err != nil {
		t.Fatal(err)
	}
	text, _ := notice.Text()
	if in.FromEmailAddress != c.From || len(in.Destination.ToAddresses) != 1 || in.Destination.ToAddresses[0] != to.Email ||
		in.Content.Simple.Body.Text.Data != text.ZH+"\n\n"+text.EN || in.Content.Simple.Subject.Data == "" {
		t.Fatalf("request %s", p.bodies[0])
	}
	for i, want := range []bool{true, false} {
		if err := c.Send(context.Background(), to, notice, "k"); err == nil || isPermanent(err) != want {
			t.Errorf("reply %d: %v, want permanent %v", i+1, err, want)
		}
	}
}

// TestWeChat: a stable access token is fetched once and reused; the
// subscription message names the event's template, the openid and the
// fields; an expired token is refreshed once; a user who declined is
// permanent, WeChat busy is not; an event with no template is permanent.
func TestWeChat(t *testing.T) {
	var mu sync.Mutex
	var tokens, sends int
	var sent []map[string]any
	sendReplies := []string{`{"errcode":0}`, `{"errcode":42001,"errmsg":"access_token expired"}`, `{"errcode":0}`, `{"errcode":43101,"errmsg":"user refuse to accept the msg"}`, `{"errcode":-1,"errmsg":"system error"}`}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		switch r.URL.Path {
		case "/cgi-bin/stable_token":
			tokens++
			if body["appid"] != "wxapp" || body["secret"] != "s3cret" || body["grant_type"] != "client_credential" {
				t.Errorf("token request %v", body)
			}
			_, _ = io.WriteString(w, `{"access_token":"T`+strings.Repeat("x", tokens)+`","expires_in":7200}`)
		case "/cgi-bin/message/subscribe/send":
			if want := "T" + strings.Repeat("x", tokens); r.URL.Query().Get("access_token") != want {
				t.Errorf("access token %q, want %q", r.URL.Query().Get("access_token"), want)
			}
			sent = append(sent, body)
			_, _ = io.WriteString(w, sendReplies[sends])
			sends++
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &channels.WeChat{BaseURL: srv.URL, AppID: "wxapp", Now: func() time.Time { return at },
		Secret:    func(context.Context) (string, error) { return "s3cret", nil },
		Templates: map[notices.Event]string{notices.OfferMade: "TPL-offer"}}
	ctx := context.Background()
	if err := c.Send(ctx, to, notice, "k"); err != nil {
		t.Fatal(err)
	}
	data, _ := sent[0]["data"].(map[string]any)
	field := func(k string) string { v, _ := data[k].(map[string]any); s, _ := v["value"].(string); return s }
	if sent[0]["touser"] != "oABC" || sent[0]["template_id"] != "TPL-offer" || field("thing1") != "阳光托班（周一至周五全日）" ||
		field("time2") != "2026年03月04日 09:00" || field("thing3") == "" {
		t.Fatalf("message %v", sent[0])
	}
	if err := c.Send(ctx, to, notice, "k"); err != nil || tokens != 2 {
		t.Fatalf("expired token: %v, %d tokens fetched", err, tokens)
	}
	if err := c.Send(ctx, to, notice, "k"); !isPermanent(err) {
		t.Fatalf("declined: %v", err)
	}
	if err := c.Send(ctx, to, notice, "k"); err == nil || isPermanent(err) {
		t.Fatalf("busy: %v", err)
	}
	if tokens != 2 {
		t.Fatalf("%d tokens fetched, want 2", tokens)
	}
	if err := c.Send(ctx, to, notices.Notice{Event: notices.Reminder}, "k"); !isPermanent(err) {
		t.Fatalf("no template: %v", err)
	}
}
