package local

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"

	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/delivery"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// The local stack's messages: DispatcherFunction runs on its template
// schedule like any job, but sends on channels that record each call in
// memory (GET /_local/messages) and publishes on a bus that records each
// event (GET /_local/events); residents' addresses come from the Cognito
// stand-in (every demo user has a verified phone, no verified e-mail).
const (
	messagesPattern = "GET /_local/messages"
	eventsPattern   = "GET /_local/events"
	dispatcherID    = "DispatcherFunction"
)

// localEnv are the local values of the dispatcher's settings: the recorder
// stands in for every channel, so they only need to be there.
var localEnv = map[string]string{
	"SMS_ORIGINATION_IDENTITY": "arn:aws-cn:sms-voice:cn-north-1:000000000000:sender-id/LOCAL/CN", "SMS_KEYWORD": "",
	"EMAIL_FROM": "notice@enrol.local", "WECHAT_APP_ID": "wx0000000000000000", "WECHAT_CREDENTIALS_ARN": "local",
	"WECHAT_TEMPLATES": "", "CITY_BUS_NAME": "enrol-city-local",
}

// withLocalOutlets is jobs with the template's dispatcher (dispatcher.New,
// which would send through AWS) sending into s's recorders instead; a fake
// job a test gives in its place is left as it is.
func (s *Stack) withLocalOutlets(jobs map[string]func(lambdafn.Deps) lambdafn.Job) map[string]func(lambdafn.Deps) lambdafn.Job {
	if f, ok := jobs[dispatcherID]; !ok || reflect.ValueOf(f).Pointer() != reflect.ValueOf(dispatcher.New).Pointer() {
		return jobs
	}
	jobs = maps.Clone(jobs)
	jobs[dispatcherID] = func(d lambdafn.Deps) lambdafn.Job {
		o := dispatcher.Outlets{
			Channels: []delivery.Channel{s.Messages.Channel("sms"), s.Messages.Channel("email"), s.Messages.Channel("wechat")},
			Bus:      s.Events,
		}
		// Without a user pool (oidc) no directory: messages in the app only.
		if d.Config.UserPoolID != "" {
			dir, err := contacts.FromConfig(context.Background(), d.Config)
			if err != nil {
				d.Log.Error("dispatcher contacts", "error", err.Error())
			}
			o.Contacts = dir
		}
		return dispatcher.NewWith(d, o)
	}
	return jobs
}

// serveMessages is GET /_local/messages: every message sent, oldest first.
func (s *Stack) serveMessages(w http.ResponseWriter, _ *http.Request) {
	writeItems(w, s.Messages.Sent())
}

// serveEvents is GET /_local/events: every event published, oldest first.
func (s *Stack) serveEvents(w http.ResponseWriter, _ *http.Request) {
	writeItems(w, s.Events.Events())
}

func writeItems[T any](w http.ResponseWriter, items []T) {
	if items == nil {
		items = []T{}
	}
	body, _ := json.Marshal(map[string]any{"items": items})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}
