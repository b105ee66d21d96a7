package samtemplate

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func loadReal(t *testing.T) *Template {
	t.Helper()
	tpl, err := Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tpl
}

func TestRealTemplateRoutes(t *testing.T) {
	tpl := loadReal(t)
	got := map[string]Route{}
	for _, r := range tpl.Routes() {
		got[r.Key()] = r
	}
	tests := []struct {
		key, fn, auth string
		public        bool
	}{
		{"GET /v1/centres", "CatalogueFunction", "NONE", true},
		{"GET /v1/centres/{centre_id}", "CatalogueFunction", "NONE", true},
		{"GET /v1/offerings", "CatalogueFunction", "NONE", true},
		{"GET /v1/offerings/{offering_id}", "CatalogueFunction", "NONE", true},
		{"POST /v1/offerings/{offering_id}/bookings", "BookingsFunction", "CognitoAuthorizer", false},
		{"GET /v1/me/bookings", "BookingsFunction", "CognitoAuthorizer", false},
		{"POST /v1/me/bookings/{booking_id}/cancel", "BookingsFunction", "CognitoAuthorizer", false},
		{"POST /v1/me/participants", "BookingsFunction", "CognitoAuthorizer", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			r, ok := got[tt.key]
			if !ok {
				t.Fatalf("route %q missing; have %v", tt.key, keys(got))
			}
			if r.FunctionID != tt.fn || r.Authorizer != tt.auth || r.Public() != tt.public || r.APIID != "HttpApi" {
				t.Errorf("route = %+v, want fn %s auth %s public %v", r, tt.fn, tt.auth, tt.public)
			}
		})
	}
	rs := tpl.Routes()
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		if a.Path > b.Path || a.Path == b.Path && a.Method > b.Method {
			t.Errorf("routes not sorted: %s before %s", a.Key(), b.Key())
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// loadCognito is the real template for a Cognito deployment outside China.
func loadCognito(t *testing.T) *Template {
	t.Helper()
	tpl, err := LoadFor(filepath.Join("..", "..", "template.yaml"), Values{"AuthMode": "cognito", "AWS::Region": "us-east-1"})
	if err != nil {
		t.Fatalf("LoadFor: %v", err)
	}
	return tpl
}

func TestRealTemplateFunctions(t *testing.T) {
	tpl := loadCognito(t)
	for _, id := range []string{"CatalogueFunction", "BookingsFunction"} {
		f := tpl.Functions[id]
		if f == nil {
			t.Fatalf("function %s missing", id)
		}
		if f.Runtime != "provided.al2023" || f.Handler != "bootstrap" || f.BuildMethod != "makefile" || f.CodeURI != "." {
			t.Errorf("%s: %+v", id, f)
		}
		if !reflect.DeepEqual(f.Architectures, []string{"arm64"}) || f.Timeout != 10 || f.MemorySize != 256 {
			t.Errorf("%s: arch %v timeout %d memory %d", id, f.Architectures, f.Timeout, f.MemorySize)
		}
		wantEnv := map[string]string{
			"TABLE_NAME": "!If [UseDataTable, !Ref DataTableName, !Ref EnrolTable]",
			"LOG_LEVEL":  "!Ref LogLevel",
			// The claims shared/auth reads, as Cognito names them.
			"GROUPS_CLAIM": "cognito:groups", "CENTRES_CLAIM": "custom:centre_ids", "DISTRICT_CLAIM": "custom:district",
		}
		if id == "BookingsFunction" { // its own variables beside the Globals
			wantEnv["IDENTITY_KEY_ID"] = "!GetAtt IdentityKey.Arn"
			wantEnv["PERSONAL_DATA_KEY_ID"] = "!GetAtt PersonalDataKey.Arn"
			wantEnv["USER_POOL_ID"] = "!Ref UserPool"
			wantEnv["API_URL"] = "!Ref PublicApiUrl" // calendar feed addresses
		}
		if !reflect.DeepEqual(f.Environment, wantEnv) {
			t.Errorf("%s env = %v", id, f.Environment)
		}
	}
	cat := tpl.Functions["CatalogueFunction"]
	want := []Statement{{
		Effect:  "Allow",
		Actions: []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"},
		Resources: []string{
			"!If [UseDataTable, !Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${DataTableName}, !GetAtt EnrolTable.Arn]",
			"!If [UseDataTable, !Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${DataTableName}/index/GSI1, !Sub ${EnrolTable.Arn}/index/GSI1]",
			"!If [UseDataTable, !Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${DataTableName}/index/GSI2, !Sub ${EnrolTable.Arn}/index/GSI2]",
		},
	}}
	if !reflect.DeepEqual(cat.Policies, want) {
		t.Errorf("catalogue policies = %#v", cat.Policies)
	}
	// A policy of four statements: the table's, the index's, and one per KMS key.
	if n := len(tpl.Functions["CentresFunction"].Policies); n != 4 {
		t.Errorf("centres has %d statements, want 4", n)
	}
	if got := tpl.Parameters["Stage"]; got.Default != "prod" || len(got.AllowedValues) != 3 {
		t.Errorf("Stage parameter = %+v", got)
	}
	if got := tpl.Outputs["UserPoolClientId"]; got != "!Ref UserPoolClient" {
		t.Errorf("output = %q", got)
	}
}

func TestRealTemplateAuthorizers(t *testing.T) {
	tpl := loadCognito(t)
	got := tpl.HttpAPIAuthorizers()
	want := map[string]JWTAuthorizer{"CognitoAuthorizer": {
		Name:           "CognitoAuthorizer",
		APIID:          "HttpApi",
		IdentitySource: "$request.header.Authorization",
		Issuer:         "!Sub https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}",
		Audience:       []string{"!Ref UserPoolClient"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("authorizers = %#v", got)
	}
}

func TestRealTemplateTable(t *testing.T) {
	tpl := loadReal(t)
	if ids := tpl.TableLogicalIDs(); !reflect.DeepEqual(ids, []string{"EnrolTable"}) {
		t.Fatalf("tables = %v", ids)
	}
	in, err := tpl.Table("EnrolTable")
	if err != nil {
		t.Fatal(err)
	}
	if in.TableName != nil {
		t.Errorf("TableName = %q, want nil", *in.TableName)
	}
	if in.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing = %q", in.BillingMode)
	}
	if len(in.AttributeDefinitions) != 8 {
		t.Errorf("attributes = %d", len(in.AttributeDefinitions))
	}
	if aws.ToString(in.KeySchema[0].AttributeName) != "PK" || in.KeySchema[0].KeyType != types.KeyTypeHash ||
		aws.ToString(in.KeySchema[1].AttributeName) != "SK" || in.KeySchema[1].KeyType != types.KeyTypeRange {
		t.Errorf("key schema = %+v", in.KeySchema)
	}
	if len(in.GlobalSecondaryIndexes) != 3 {
		t.Fatalf("GSIs = %d", len(in.GlobalSecondaryIndexes))
	}
	for i, name := range []string{"GSI1", "GSI2", "GSI3"} {
		g := in.GlobalSecondaryIndexes[i]
		if aws.ToString(g.IndexName) != name || g.Projection.ProjectionType != types.ProjectionTypeAll ||
			aws.ToString(g.KeySchema[0].AttributeName) != name+"PK" || aws.ToString(g.KeySchema[1].AttributeName) != name+"SK" {
			t.Errorf("GSI %d = %+v", i, g)
		}
	}
	if attr, ok := tpl.TableTTLAttribute("EnrolTable"); !ok || attr != "expires_at" {
		t.Errorf("ttl = %q %v", attr, ok)
	}
	for _, bad := range []string{"UserPool", "Nope"} {
		if _, err := tpl.Table(bad); err == nil {
			t.Errorf("Table(%q): want error", bad)
		}
	}
}

// TestCognitoTriggers: the user pool's LambdaConfig names AccountsFunction
// for its three triggers, and nothing that is not a !GetAtt of a function
// counts.
func TestCognitoTriggers(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        PreSignUp: !GetAtt Fn.Arn
        PostConfirmation: arn:aws:lambda:cn-north-1:000000000000:function:elsewhere
        CustomMessage: !GetAtt Other.Arn
  Fn:
    Type: AWS::Serverless::Function
  Other:
    Type: AWS::SNS::Topic
`))
	if err != nil {
		t.Fatal(err)
	}
	got := tpl.CognitoTriggers()
	if want := []Trigger{{"Pool", "PreSignUp", "Fn"}}; !slices.Equal(got, want) {
		t.Errorf("CognitoTriggers() = %v, want %v", got, want)
	}
	tpl, err = Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Trigger{{"UserPool", "PostConfirmation", "AccountsFunction"}, {"UserPool", "PreSignUp", "AccountsFunction"}, {"UserPool", "PreTokenGeneration", "AccountsFunction"}}
	if got := tpl.CognitoTriggers(); !slices.Equal(got, want) {
		t.Errorf("template.yaml's triggers %v, want %v", got, want)
	}
}
