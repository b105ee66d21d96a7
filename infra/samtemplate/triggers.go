package samtemplate

import "sort"

// TypeUserPool is a Cognito user pool, whose LambdaConfig names the
// functions it invokes as triggers.
const TypeUserPool = "AWS::Cognito::UserPool"

// Trigger is one user pool trigger: the LambdaConfig key (PreSignUp,
// PostConfirmation, PreTokenGeneration, …) and the function it names.
type Trigger struct {
	UserPool, Name, FunctionID string
}

// CognitoTriggers are the user pools' triggers that name a template
// function (!GetAtt <Function>.Arn), sorted by pool then name. Cognito
// invokes those functions with its own events: they have no SAM events.
func (t *Template) CognitoTriggers() []Trigger {
	var out []Trigger
	for _, pool := range t.ResourceIDs(TypeUserPool) {
		for name, v := range mapOf(t.Resources[pool].Properties["LambdaConfig"]) {
			ga, _ := mapOf(v)["Fn::GetAtt"].([]any)
			if id, ok := GetAttTarget(v); ok && ga[1] == "Arn" && t.Functions[id] != nil {
				out = append(out, Trigger{UserPool: pool, Name: name, FunctionID: id})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UserPool != out[j].UserPool {
			return out[i].UserPool < out[j].UserPool
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// TriggerFunctions are the functions some user pool trigger names.
func (t *Template) TriggerFunctions() map[string]bool {
	out := map[string]bool{}
	for _, tr := range t.CognitoTriggers() {
		out[tr.FunctionID] = true
	}
	return out
}
