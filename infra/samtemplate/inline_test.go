package samtemplate

import (
	"reflect"
	"testing"
)

const apiWithDefault = `
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            JwtConfiguration:
              issuer: https://issuer.example
              audience: [client]
`

func TestRoutesInline(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		want   []Route
		public []bool
	}{
		{
			name: "public route",
			yaml: apiWithDefault + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Open:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: get, Path: /open, Auth: {Authorizer: NONE}}
`,
			want:   []Route{{FunctionID: "Fn", EventName: "Open", Method: "GET", Path: "/open", APIID: "Api", Authorizer: "NONE"}},
			public: []bool{true},
		},
		{
			name: "default authorizer",
			yaml: apiWithDefault + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Closed:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: POST, Path: "/closed/{id}"}
`,
			want:   []Route{{FunctionID: "Fn", EventName: "Closed", Method: "POST", Path: "/closed/{id}", APIID: "Api", Authorizer: "Jwt"}},
			public: []bool{false},
		},
		{
			name: "missing Auth everywhere",
			yaml: `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Any:
          Type: HttpApi
        NotHTTP:
          Type: SQS
          Properties: {Queue: !GetAtt Q.Arn}
`,
			want:   []Route{{FunctionID: "Fn", EventName: "Any", Method: "ANY", Path: "$default"}},
			public: []bool{true},
		},
		{
			name: "Globals.HttpApi default for the implicit API, explicit override",
			yaml: `
Globals:
  HttpApi:
    Auth: {DefaultAuthorizer: G}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        B: {Type: HttpApi, Properties: {Method: GET, Path: /b}}
        A: {Type: HttpApi, Properties: {Method: GET, Path: /a, Auth: {Authorizer: Other}}}
`,
			want: []Route{
				{FunctionID: "Fn", EventName: "A", Method: "GET", Path: "/a", Authorizer: "Other"},
				{FunctionID: "Fn", EventName: "B", Method: "GET", Path: "/b", Authorizer: "G"},
			},
			public: []bool{false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got := tpl.Routes()
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("routes =\n%+v\nwant\n%+v", got, tt.want)
			}
			for i, r := range got {
				if r.Public() != tt.public[i] {
					t.Errorf("%s Public() = %v", r.Key(), r.Public())
				}
			}
		})
	}
}

func TestGlobalsOverride(t *testing.T) {
	tpl, err := Parse([]byte(`
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Architectures: [arm64]
    Timeout: 10
    Environment:
      Variables: {A: global, B: global, T: !Ref Table}
Resources:
  Inherits:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./a}
  Overrides:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./b
      Runtime: go1.x
      Handler: main
      Architectures: [x86_64]
      Timeout: 3
      Environment:
        Variables: {B: mine, C: !Sub "${AWS::Region}-x"}
      Policies:
        - AWSLambdaBasicExecutionRole
        - DynamoDBReadPolicy: {TableName: !Ref Table}
        - Statement: {Effect: Deny, Action: "s3:*", Resource: "*"}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id   string
		want Function
	}{
		{"Inherits", Function{
			LogicalID: "Inherits", CodeURI: "./a", Handler: "bootstrap", Runtime: "provided.al2023",
			Architectures: []string{"arm64"}, Timeout: 10,
			Environment: map[string]string{"A": "global", "B": "global", "T": "!Ref Table"},
		}},
		{"Overrides", Function{
			LogicalID: "Overrides", CodeURI: "./b", Handler: "main", Runtime: "go1.x",
			Architectures: []string{"x86_64"}, Timeout: 3,
			Environment:   map[string]string{"A": "global", "B": "mine", "C": "!Sub ${AWS::Region}-x", "T": "!Ref Table"},
			Policies:      []Statement{{Effect: "Deny", Actions: []string{"s3:*"}, Resources: []string{"*"}}},
			NamedPolicies: []string{"AWSLambdaBasicExecutionRole", "DynamoDBReadPolicy"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got := *tpl.Functions[tt.id]
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestUnknownTagsAndRender(t *testing.T) {
	tpl, err := Parse([]byte(`
AWSTemplateFormatVersion: 2010-09-09
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Thing:
    Type: Custom::Thing
    Condition: IsProd
    Properties:
      If: !If [IsProd, !Ref A, !Ref "AWS::NoValue"]
      Join: !Join ["-", [a, !GetAtt B.Out.Put]]
      SubList: !Sub ["${x}-y", {x: !Ref Z}]
      Weird: !SomethingNew {a: 1}
      Number: 5
      Flag: yes
      Anchor: &anc {k: v}
      Alias: *anc
`))
	if err != nil {
		t.Fatal(err)
	}
	r := tpl.Resources["Thing"]
	if r.Type != "Custom::Thing" || r.Condition != "IsProd" {
		t.Fatalf("resource = %+v", r)
	}
	tests := []struct {
		prop string
		want string
	}{
		{"If", "!If [IsProd, !Ref A, !Ref AWS::NoValue]"},
		{"Join", "!Join [-, [a, !GetAtt B.Out.Put]]"},
		{"SubList", "!Sub [${x}-y, {x: !Ref Z}]"},
		{"Weird", "!SomethingNew {a: 1}"},
		{"Number", "5"},
		{"Flag", "yes"},
		{"Alias", "{k: v}"},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) {
			if got := Render(r.Properties[tt.prop]); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
		})
	}
	if got := r.Properties["Join"]; !reflect.DeepEqual(got, map[string]any{
		"Fn::Join": []any{"-", []any{"a", map[string]any{"Fn::GetAtt": []any{"B", "Out.Put"}}}},
	}) {
		t.Errorf("long form = %#v", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"not yaml", "a: [b"},
		{"not a mapping", "- a\n- b\n"},
		{"resources not a mapping", "Resources: [a]\n"},
		{"resource not a mapping", "Resources:\n  A: 5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.yaml)); err == nil {
				t.Error("want error")
			}
		})
	}
	if _, err := Load("does-not-exist.yaml"); err == nil {
		t.Error("Load: want error")
	}
}
