package channels

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// WeChat sends mini-program subscription messages through WeChat's HTTP
// API (POST /cgi-bin/message/subscribe/send), one template per event.
// Each template is chosen in the mini program's console with three
// keywords, which enrol fills: thing1 the offering (at most 20 characters),
// time2 the deadline of an offer or the first session, thing3 what
// happened.
type WeChat struct {
	HTTP *http.Client
	// BaseURL is https://api.weixin.qq.com (a test server in tests).
	BaseURL string
	AppID   string
	// Secret gives the app secret (from Secrets Manager), asked once.
	Secret func(ctx context.Context) (string, error)
	// Templates are the template ids by event; an event without one is
	// not sent on WeChat (a permanent failure of this channel).
	Templates map[notices.Event]string
	// State is the mini program the message opens: "formal" (default),
	// "trial" or "developer".
	State string
	Now   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Name is "wechat".
func (*WeChat) Name() string { return "wechat" }

// Carries reports whether an event has a template: one without is not
// sent on WeChat (the resident's other channels carry it).
func (c *WeChat) Carries(ev notices.Event) bool { return c.Templates[ev] != "" }

// wechatPermanent are errcodes retrying cannot mend: an invalid openid,
// template or field, a user who did not (or no longer) accept the
// template's messages.
var wechatPermanent = map[int]bool{40003: true, 40037: true, 43101: true, 47003: true, 43116: true}

// tokenExpired are errcodes that say the access token is no longer good.
var tokenExpired = map[int]bool{40001: true, 40014: true, 42001: true}

// whatHappened is thing3 of each event's template.
var whatHappened = map[notices.Event]string{
	notices.Promoted: "候补已转为正式名额", notices.OfferMade: "名额已为您保留，请确认", notices.OfferExpiring: "保留名额即将到期",
	notices.OfferExpired: "保留名额已过期", notices.DrawResult: "摇号结果已公布", notices.OfferingCancelled: "项目已被机构取消",
	notices.Reminder: "明天开始，请准时参加", notices.NoShowBlocked: "多次缺席，本学期暂停报名", notices.VerifiedElsewhere: "身份已在另一账户核验",
}

type wechatReply struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// Send sends n's template to the resident's openid. WeChat's API takes no
// idempotency key; the key is not sent.
func (c *WeChat) Send(ctx context.Context, to contacts.Contact, n notices.Notice, _ string) error {
	tmpl := c.Templates[n.Event]
	if tmpl == "" {
		return &Error{Channel: "wechat", Err: fmt.Errorf("no template configured for %s", n.Event), IsPermanent: true}
	}
	when := n.Deadline
	if when.IsZero() {
		when, _ = time.ParseInLocation(time.DateOnly, n.FirstSession, domain.CityZone)
	}
	state := c.State
	if state == "" {
		state = "formal"
	}
	body, _ := json.Marshal(map[string]any{
		"touser": to.WeChatOpenID, "template_id": tmpl, "page": "pages/messages/index",
		"miniprogram_state": state, "lang": "zh_CN",
		"data": map[string]map[string]string{
			"thing1": {"value": clip(n.Title, 20)},
			"time2":  {"value": when.In(domain.CityZone).Format("2006年01月02日 15:04")},
			"thing3": {"value": clip(whatHappened[n.Event], 20)},
		},
	})
	for try := range 2 {
		token, err := c.accessToken(ctx, try > 0)
		if err != nil {
			return err
		}
		var r wechatReply
		if err := c.call(ctx, "/cgi-bin/message/subscribe/send?access_token="+url.QueryEscape(token), body, &r); err != nil {
			return err
		}
		switch {
		case r.ErrCode == 0:
			return nil
		case tokenExpired[r.ErrCode] && try == 0:
			continue // once more with a fresh token
		}
		return &Error{Channel: "wechat", Err: fmt.Errorf("errcode %d: %s", r.ErrCode, r.ErrMsg), IsPermanent: wechatPermanent[r.ErrCode]}
	}
	return &Error{Channel: "wechat", Err: errors.New("access token refused twice")}
}

// accessToken is the cached token, or a fresh one from the stable-token
// API (which, unlike /cgi-bin/token, does not invalidate the token other
// holders of the app's secret use).
func (c *WeChat) accessToken(ctx context.Context, refresh bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !refresh && c.token != "" && c.Now().Before(c.expires) {
		return c.token, nil
	}
	secret, err := c.Secret(ctx)
	if err != nil {
		return "", &Error{Channel: "wechat", Err: fmt.Errorf("app secret: %w", err)}
	}
	body, _ := json.Marshal(map[string]any{"grant_type": "client_credential", "appid": c.AppID, "secret": secret, "force_refresh": refresh})
	var r wechatReply
	if err := c.call(ctx, "/cgi-bin/stable_token", body, &r); err != nil {
		return "", err
	}
	if r.ErrCode != 0 || r.AccessToken == "" {
		return "", &Error{Channel: "wechat", Err: fmt.Errorf("stable_token: errcode %d: %s", r.ErrCode, r.ErrMsg)}
	}
	// A margin, so a token is never used in its last minutes.
	c.token, c.expires = r.AccessToken, c.Now().Add(time.Duration(r.ExpiresIn)*time.Second-5*time.Minute)
	return c.token, nil
}

// call POSTs body to path and decodes the JSON answer; trouble reaching
// WeChat is worth a retry.
func (c *WeChat) call(ctx context.Context, path string, body []byte, out *wechatReply) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return &Error{Channel: "wechat", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &Error{Channel: "wechat", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &Error{Channel: "wechat", Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Channel: "wechat", Err: err}
	}
	return nil
}

// clip keeps s to at most n characters, as a template's thing field takes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
