package templatecheck

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// Operations (issue 16; README, "运维 / Operations").

// Every function logs to a group of its own, named as shared/config reads
// it (/aws/lambda/enrol-<Stage>/<LogicalId>), kept LogRetentionDays.
func TestEveryFunctionHasALogGroup(t *testing.T) {
	tpl := loadTemplate(t)
	if p := tpl.Parameters["LogRetentionDays"]; p.Default != "180" || !slices.Contains(p.AllowedValues, "180") || !slices.Contains(p.AllowedValues, "3653") {
		t.Errorf("LogRetentionDays %+v: default 180 among CloudWatch Logs' retention values", p)
	}
	used := map[string]bool{}
	for _, id := range tpl.FunctionLogicalIDs() {
		lc := mapOf(tpl.Resources[id].Properties["LoggingConfig"])
		group := strings.TrimPrefix(samtemplate.Render(lc["LogGroup"]), "!Ref ")
		r, ok := tpl.Resources[group]
		if !ok || r.Type != "AWS::Logs::LogGroup" {
			t.Errorf("%s: LoggingConfig.LogGroup %q is not a log group of the template", id, samtemplate.Render(lc["LogGroup"]))
			continue
		}
		if used[group] {
			t.Errorf("%s shares log group %s", id, group)
		}
		used[group] = true
		if got, want := samtemplate.Render(r.Properties["LogGroupName"]), "!Sub /aws/lambda/enrol-${Stage}/"+id; got != want {
			t.Errorf("%s: log group name %q, want %q (its metrics' namespace and Function come from it)", id, got, want)
		}
		if got := samtemplate.Render(r.Properties["RetentionInDays"]); got != "!Ref LogRetentionDays" {
			t.Errorf("%s: retention %q, want !Ref LogRetentionDays", group, got)
		}
	}
}

func TestAPIAccessLogs(t *testing.T) {
	tpl := loadTemplate(t)
	als := mapOf(tpl.Resources["HttpApi"].Properties["AccessLogSettings"])
	if got := samtemplate.Render(als["DestinationArn"]); got != "!GetAtt ApiAccessLogs.Arn" {
		t.Fatalf("access logs go to %q", got)
	}
	if got := samtemplate.Render(tpl.Resources["ApiAccessLogs"].Properties["RetentionInDays"]); got != "!Ref LogRetentionDays" {
		t.Errorf("access log retention %q", got)
	}
	var format map[string]string
	if err := json.Unmarshal([]byte(samtemplate.Render(als["Format"])), &format); err != nil {
		t.Fatalf("access log format is not JSON: %v", err)
	}
	for field, v := range map[string]string{
		"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
		"routeKey": "$context.routeKey", "status": "$context.status", "latency": "$context.responseLatency",
		"integrationLatency": "$context.integrationLatency", "sub": "$context.authorizer.claims.sub", "error": "$context.error.message",
	} {
		if format[field] != v {
			t.Errorf("access log %s = %q, want %q", field, format[field], v)
		}
	}
}

func TestThrottles(t *testing.T) {
	tpl := loadTemplate(t)
	api := tpl.Resources["HttpApi"].Properties
	def := mapOf(api["DefaultRouteSettings"])
	if samtemplate.Render(def["ThrottlingRateLimit"]) != "!Ref ApiThrottleRate" || samtemplate.Render(def["ThrottlingBurstLimit"]) != "!Ref ApiThrottleBurst" {
		t.Errorf("default route settings %v", def)
	}
	for p, want := range map[string]string{"ApiThrottleRate": "1000", "ApiThrottleBurst": "2000"} {
		if got := tpl.Parameters[p].Default; got != want {
			t.Errorf("%s default %s, want %s", p, got, want)
		}
	}
	routes := map[string]bool{}
	for _, r := range tpl.Routes() {
		routes[r.Key()] = true
	}
	rs := mapOf(api["RouteSettings"])
	want := []string{"POST /v1/offerings/{offering_id}/bookings", "POST /v1/offerings/{offering_id}/applications", "POST /v1/rounds/{round_id}/applications"}
	if got := sortedKeys(rs); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("route settings for %v, want %v", got, want)
	}
	for _, k := range want {
		if !routes[k] {
			t.Errorf("route settings name %s, which no function serves (the deployment would fail)", k)
		}
		s := mapOf(rs[k])
		if samtemplate.Render(s["ThrottlingRateLimit"]) != "!Ref BookingThrottleRate" || samtemplate.Render(s["ThrottlingBurstLimit"]) != "!Ref BookingThrottleBurst" {
			t.Errorf("%s: %v", k, s)
		}
	}
}

func TestReservedConcurrencyIsConditional(t *testing.T) {
	tpl := loadTemplate(t)
	conds := rawSection(t, "Conditions")
	for fn, c := range map[string][2]string{
		"BookingsFunction":  {"ReserveBookings", "BookingsReservedConcurrency"},
		"CatalogueFunction": {"ReserveCatalogue", "CatalogueReservedConcurrency"},
	} {
		if got := tpl.Parameters[c[1]].Default; got != "0" {
			t.Errorf("%s default %s, want 0 (none reserved)", c[1], got)
		}
		if got, want := samtemplate.Render(tpl.Resources[fn].Properties["ReservedConcurrentExecutions"]), "!If ["+c[0]+", !Ref "+c[1]+", !Ref AWS::NoValue]"; got != want {
			t.Errorf("%s reserved concurrency %q, want %q", fn, got, want)
		}
		if got, want := samtemplate.Render(conds[c[0]]), "!Not [!Equals [!Ref "+c[1]+", 0]]"; got != want {
			t.Errorf("condition %s is %q, want %q", c[0], got, want)
		}
	}
}

func TestAlarmsGoToTheTopic(t *testing.T) {
	tpl := loadTemplate(t)
	if tpl.Resources["AlarmTopic"].Type != "AWS::SNS::Topic" {
		t.Fatal("no AlarmTopic")
	}
	if sub := tpl.Resources["AlarmEmailSubscription"]; sub.Condition != "HasAlarmEmail" || samtemplate.Render(sub.Properties["Endpoint"]) != "!Ref AlarmEmail" {
		t.Errorf("the e-mail subscription: %+v", sub)
	}
	// Each alarm and what its metrics must name.
	for name, want := range map[string][]string{
		"Api5xxRateAlarm":   {"AWS/ApiGateway", "5xx", "Count"},
		"Api503RateAlarm":   {"enrol-${Stage}", "Unavailable", "Count"},
		"ApiThrottlesAlarm": {"AWS/Lambda", "Throttles"},
		"DeadLettersAlarm":  {"enrol-${Stage}", "DeadLetters", "DispatcherFunction"},
		"DrawFailuresAlarm": {"enrol-${Stage}", "DrawFailures", "Errors", "DrawsFunction"},
	} {
		r, ok := tpl.Resources[name]
		if !ok || r.Type != "AWS::CloudWatch::Alarm" {
			t.Errorf("no alarm %s", name)
			continue
		}
		p := r.Properties
		for _, k := range []string{"AlarmActions", "OKActions"} {
			if got := samtemplate.Render(p[k]); got != "[!Ref AlarmTopic]" {
				t.Errorf("%s %s = %s, want the topic", name, k, got)
			}
		}
		if p["TreatMissingData"] != "notBreaching" {
			t.Errorf("%s treats missing data as %v", name, p["TreatMissingData"])
		}
		text := samtemplate.Render(p["Metrics"])
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s's metrics do not name %s: %s", name, w, text)
			}
		}
	}
}

func TestDashboard(t *testing.T) {
	tpl := loadTemplate(t)
	d := tpl.Resources["Dashboard"]
	sub, _ := d.Properties["DashboardBody"].(map[string]any)["Fn::Sub"].([]any)
	if d.Type != "AWS::CloudWatch::Dashboard" || len(sub) != 2 {
		t.Fatalf("dashboard %+v", d)
	}
	body := sub[0].(string)
	// The body is JSON once its ${…} are substituted.
	var doc struct {
		Widgets []struct {
			Properties struct{ Title string } `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("dashboard body: %v", err)
	}
	for _, w := range []string{`"5xx"`, `"4xx"`, `p99`, `p50`, `Bookings`, `Refusals`, `Promotions`, `OffersMade`, `MessagesSent`, `MessagesFailed`,
		`StoreRetries`, `Unavailable`, `Throttles`, `Errors`, `Duration`, `ThrottledRequests`} {
		if !strings.Contains(body, w) {
			t.Errorf("the dashboard shows no %s", w)
		}
	}
}

// rawSection is a top-level section of template.yaml in the long form
// samtemplate renders.
func rawSection(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	top := n.Content[0]
	for i := 0; i < len(top.Content); i += 2 {
		if top.Content[i].Value == name {
			return longForm(top.Content[i+1]).(map[string]any)
		}
	}
	t.Fatalf("no %s", name)
	return nil
}

// longForm turns short tags (!Not, !Equals, !Ref) into CloudFormation's long form.
func longForm(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i < len(n.Content); i += 2 {
			m[n.Content[i].Value] = longForm(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		var l []any
		for _, c := range n.Content {
			l = append(l, longForm(c))
		}
		v = l
	default:
		v = n.Value
	}
	if tag, ok := strings.CutPrefix(n.Tag, "!"); ok && !strings.HasPrefix(n.Tag, "!!") {
		if tag != "Ref" && tag != "Condition" {
			tag = "Fn::" + tag
		}
		return map[string]any{tag: v}
	}
	return v
}
