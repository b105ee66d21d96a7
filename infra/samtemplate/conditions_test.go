package samtemplate

import (
	"reflect"
	"testing"
)

const conditional = `
Parameters:
  Mode: {Type: String, Default: a}
  Name: {Type: String, Default: ""}
Conditions:
  IsA: !Equals [!Ref Mode, a]
  IsB: !Not [!Condition IsA]
  Here: !Or [!Equals [!Ref AWS::Region, cn-north-1], !Equals [!Ref AWS::Region, cn-northwest-1]]
  AHere: !And [!Condition IsA, !Condition Here]
  Named: !Not [!Equals [!Ref Name, ""]]
Resources:
  OnlyA:
    Type: AWS::SNS::Topic
    Condition: IsA
  OnlyB:
    Type: AWS::SNS::Topic
    Condition: IsB
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          WHICH: !If [IsA, !Ref OnlyA, !Ref OnlyB]
          GONE: !If [IsA, !Ref AWS::NoValue, b]
          NAME: !If [Named, !Ref Name, none]
      Policies:
        - Statement:
            - !If [AHere, {Effect: Allow, Action: [sns:Publish], Resource: [!Ref OnlyA]}, !Ref AWS::NoValue]
Outputs:
  B:
    Condition: IsB
    Value: !Ref OnlyB
`

// TestParseFor: the conditions the values decide are applied (And false on
// one false part, Or true on one true part, whatever the others); those
// they do not decide stay as written.
func TestParseFor(t *testing.T) {
	cases := []struct {
		name      string
		values    Values
		resources []string
		env       map[string]string
		stmts     int
		outputs   int
		known     map[string]bool
	}{
		{"a, in China", Values{"Mode": "a", "AWS::Region": "cn-north-1"}, []string{"Fn", "OnlyA"},
			map[string]string{"WHICH": "!Ref OnlyA", "NAME": "!If [Named, !Ref Name, none]"}, 1, 0,
			map[string]bool{"IsA": true, "IsB": false, "Here": true, "AHere": true}},
		{"a, elsewhere, named", Values{"Mode": "a", "AWS::Region": "us-east-1", "Name": "n"}, []string{"Fn", "OnlyA"},
			map[string]string{"WHICH": "!Ref OnlyA", "NAME": "!Ref Name"}, 0, 0,
			map[string]bool{"IsA": true, "IsB": false, "Here": false, "AHere": false, "Named": true}},
		{"b, region unknown", Values{"Mode": "b"}, []string{"Fn", "OnlyB"},
			map[string]string{"WHICH": "!Ref OnlyB", "GONE": "b", "NAME": "!If [Named, !Ref Name, none]"}, 0, 1,
			map[string]bool{"IsA": false, "IsB": true, "AHere": false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := ParseFor([]byte(conditional), c.values)
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(tpl.Resources); !sameSet(got, c.resources) {
				t.Errorf("resources %v, want %v", got, c.resources)
			}
			if got := tpl.Functions["Fn"].Environment; !reflect.DeepEqual(got, c.env) {
				t.Errorf("env %v, want %v", got, c.env)
			}
			if got := len(tpl.Functions["Fn"].Policies); got != c.stmts {
				t.Errorf("%d statements, want %d", got, c.stmts)
			}
			if len(tpl.Outputs) != c.outputs {
				t.Errorf("outputs %v", tpl.Outputs)
			}
			if !reflect.DeepEqual(tpl.Conditions, c.known) {
				t.Errorf("conditions %v, want %v", tpl.Conditions, c.known)
			}
		})
	}
	if _, err := ParseFor([]byte("Conditions:\n  A: !Condition B\n  B: !Condition A\n"), nil); err == nil {
		t.Error("conditions referring to each other in a circle were accepted")
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
