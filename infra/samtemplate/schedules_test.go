package samtemplate

import (
	"reflect"
	"testing"
)

func TestSchedulesInline(t *testing.T) {
	tests := []struct {
		name   string
		events string
		want   []Schedule
	}{
		{
			name: "Schedule, enabled by default",
			events: `
        Daily:
          Type: Schedule
          Properties:
            Schedule: cron(55 15 * * ? *)`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Daily", Type: "Schedule", Expression: "cron(55 15 * * ? *)", Enabled: true}},
		},
		{
			name: "Schedule, Enabled false",
			events: `
        Daily:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Enabled: false}`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Daily", Type: "Schedule", Expression: "rate(1 day)"}},
		},
		{
			name: "Schedule, Enabled as text",
			events: `
        Daily:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Enabled: "false"}`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Daily", Type: "Schedule", Expression: "rate(1 day)"}},
		},
		{
			name: "Schedule, State DISABLED",
			events: `
        Daily:
          Type: Schedule
          Properties: {Schedule: rate(1 day), State: DISABLED}`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Daily", Type: "Schedule", Expression: "rate(1 day)"}},
		},
		{
			name: "Schedule, Enabled from a parameter counts as enabled",
			events: `
        Daily:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Enabled: !Ref On}`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Daily", Type: "Schedule", Expression: "rate(1 day)", Enabled: true}},
		},
		{
			name: "ScheduleV2 with a time zone",
			events: `
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(55 23 * * ? *)
            ScheduleExpressionTimezone: Asia/Shanghai`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Nightly", Type: "ScheduleV2", Expression: "cron(55 23 * * ? *)", Timezone: "Asia/Shanghai", Enabled: true}},
		},
		{
			name: "ScheduleV2 disabled, no time zone",
			events: `
        Nightly:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(5 minutes), State: DISABLED}`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Nightly", Type: "ScheduleV2", Expression: "rate(5 minutes)"}},
		},
		{
			name: "intrinsic expression is kept rendered",
			events: `
        Daily:
          Type: Schedule
          Properties: {Schedule: !Ref Expr}`,
			want: []Schedule{{FunctionID: "Fn", EventName: "Daily", Type: "Schedule", Expression: "!Ref Expr", Enabled: true}},
		},
		{
			name: "other events are not schedules; sorted by event",
			events: `
        B:
          Type: Schedule
          Properties: {Schedule: rate(2 hours)}
        Api:
          Type: HttpApi
          Properties: {Method: GET, Path: /x}
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Q.Arn}
        A:
          Type: Schedule
          Properties: {Schedule: rate(1 hour)}`,
			want: []Schedule{
				{FunctionID: "Fn", EventName: "A", Type: "Schedule", Expression: "rate(1 hour)", Enabled: true},
				{FunctionID: "Fn", EventName: "B", Type: "Schedule", Expression: "rate(2 hours)", Enabled: true},
			},
		},
		{
			name:   "no events",
			events: " {}",
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:` + tt.events + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.Schedules(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Schedules() =\n%+v\nwant\n%+v", got, tt.want)
			}
			if got := tpl.Functions["Fn"].Schedules; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Functions[Fn].Schedules =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestSchedulesAcrossFunctions(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  Zeta:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Tick: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}
  Alpha:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Tick: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(1 minute)}}
  Web:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {Method: GET, Path: /}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range tpl.Schedules() {
		got = append(got, s.FunctionID+"."+s.EventName+" "+s.Type)
	}
	want := []string{"Alpha.Tick ScheduleV2", "Zeta.Tick Schedule"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Schedules() = %v, want %v", got, want)
	}
	if s := tpl.Functions["Web"].Schedules; s != nil {
		t.Errorf("an HTTP function has schedules %v", s)
	}
}

func TestRealTemplateSchedules(t *testing.T) {
	tpl := loadReal(t)
	want := []Schedule{{
		FunctionID: "DispatcherFunction", EventName: "EveryMinute", Type: EventSchedule,
		Expression: "rate(1 minute)", Enabled: true,
	}, {
		FunctionID: "DrawsFunction", EventName: "EveryMinute", Type: EventSchedule,
		Expression: "rate(1 minute)", Enabled: true,
	}, {
		FunctionID: "OffersFunction", EventName: "EveryMinute", Type: EventSchedule,
		Expression: "rate(1 minute)", Enabled: true,
	}, {
		FunctionID: "RemindersFunction", EventName: "Daily", Type: EventSchedule,
		Expression: "cron(0 10 * * ? *)", Enabled: true,
	}, {
		FunctionID: "RetentionFunction", EventName: "Daily", Type: EventSchedule,
		Expression: "cron(30 19 * * ? *)", Enabled: true,
	}, {
		FunctionID: "SnapshotFunction", EventName: "Daily", Type: EventSchedule,
		Expression: "cron(55 15 * * ? *)", Enabled: true,
	}}
	if got := tpl.Schedules(); !reflect.DeepEqual(got, want) {
		t.Errorf("Schedules() = %+v, want %+v", got, want)
	}
	for _, s := range want {
		if r := tpl.Functions[s.FunctionID].Routes; len(r) != 0 {
			t.Errorf("%s has routes %v", s.FunctionID, r)
		}
	}
}
