package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

const limited = `
Parameters:
  Rate: {Type: Number, Default: 1000}
  Burst: {Type: Number, Default: 2000}
  Reserved: {Type: Number, Default: 0}
Conditions:
  Reserve: !Not [!Equals [!Ref Reserved, 0]]
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: !Ref Burst, ThrottlingRateLimit: !Ref Rate}
      RouteSettings:
        "POST /v1/things": {ThrottlingBurstLimit: 4, ThrottlingRateLimit: 2.5}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      ReservedConcurrentExecutions: !If [Reserve, !Ref Reserved, !Ref AWS::NoValue]
  Fixed:
    Type: AWS::Serverless::Function
    Properties:
      ReservedConcurrentExecutions: 3
`

func TestLimits(t *testing.T) {
	base, err := Parse([]byte(limited))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		set  Values // over the parameters' defaults
		want Limits
	}{
		{"defaults", nil, Limits{
			Default:  &Throttle{Rate: 1000, Burst: 2000},
			Routes:   map[string]Throttle{"POST /v1/things": {Rate: 2.5, Burst: 4}},
			Reserved: map[string]int{"Fixed": 3},
		}},
		{"a reservation and other rates", Values{"Reserved": "7", "Rate": "10", "Burst": "20"}, Limits{
			Default:  &Throttle{Rate: 10, Burst: 20},
			Routes:   map[string]Throttle{"POST /v1/things": {Rate: 2.5, Burst: 4}},
			Reserved: map[string]int{"Fn": 7, "Fixed": 3},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := base.ParameterDefaults()
			for k, x := range c.set {
				v[k] = x
			}
			tm, err := ParseFor([]byte(limited), v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.Limits(v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v (default %+v), want %+v (default %+v)", got, got.Default, c.want, c.want.Default)
			}
		})
	}
}

// A reservation whose condition the values leave open cannot be read.
func TestLimitsUndecided(t *testing.T) {
	tm, err := Parse([]byte(limited))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Limits(tm.ParameterDefaults()); err == nil || !strings.Contains(err.Error(), "Fn ReservedConcurrentExecutions") {
		t.Fatalf("err %v, want the undecided reservation named", err)
	}
}

// The project's template: the booking routes get their own, smaller bucket.
func TestProjectLimits(t *testing.T) {
	tm, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := tm.ParameterDefaults()
	if tm, err = LoadFor("../../template.yaml", v); err != nil {
		t.Fatal(err)
	}
	l, err := tm.Limits(v)
	if err != nil {
		t.Fatal(err)
	}
	if l.Default == nil || *l.Default != (Throttle{Rate: 1000, Burst: 2000}) {
		t.Errorf("default %+v, want 1000/s burst 2000", l.Default)
	}
	for _, key := range []string{"POST /v1/offerings/{offering_id}/bookings", "POST /v1/offerings/{offering_id}/applications", "POST /v1/rounds/{round_id}/applications"} {
		if l.Routes[key] != (Throttle{Rate: 2000, Burst: 4000}) {
			t.Errorf("%s: %+v, want 2000/s burst 4000", key, l.Routes[key])
		}
	}
	if len(l.Reserved) != 0 {
		t.Errorf("reserved %v, want none by default", l.Reserved)
	}
}
