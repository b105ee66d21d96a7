package domain

import (
	"fmt"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// Channels are the ways a message reaches a resident, in the order a page
// lists them (contract, "Messages to residents").
var Channels = []string{"sms", "email", "wechat"}

// DefaultChannels are an account's channels until it chooses: SMS, as
// every account signs in with a phone number.
func DefaultChannels() []string { return []string{"sms"} }

// CheckChannels is what PUT /v1/me/message-preferences accepts: one to three
// of Channels, each once. An empty list is refused rather than taken as
// "tell me nothing": offers with a deadline and promotions reach a resident
// only by message, and one who chose none would miss them.
func CheckChannels(channels []string) error {
	var v apperr.Validation
	if channels == nil {
		v.Add("channels", "请选择通知方式", "channels is required")
		return v.Err()
	}
	if len(channels) == 0 {
		v.Add("channels", "请至少选择一种通知方式：录取、递补和截止时间只通过消息告知您",
			"choose at least one channel: offers, promotions and deadlines reach you only by message")
	}
	for i, c := range channels {
		field := fmt.Sprintf("channels[%d]", i)
		switch {
		case !slices.Contains(Channels, c):
			v.Add(field, "应为 sms、email 或 wechat", "must be sms, email or wechat")
		case slices.Contains(channels[:i], c):
			v.Add(field, "重复的通知方式", "listed twice")
		}
	}
	return v.Err()
}
