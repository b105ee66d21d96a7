// Package samtemplate reads the project's SAM template (template.yaml) so the
// local stack can run exactly what is declared for AWS: the functions, their
// HTTP API routes and authorizers, their schedules, their environment, and
// the DynamoDB table.
// It is lenient: CloudFormation intrinsics are kept, never evaluated, except
// that ParseFor applies the conditions a set of parameter values decides
// (conditions.go), to read the template as one deployment would get it.
package samtemplate

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"gopkg.in/yaml.v3"
)

// Resource types the reader understands beyond keeping them raw.
const (
	TypeFunction = "AWS::Serverless::Function"
	TypeHTTPAPI  = "AWS::Serverless::HttpApi"
	TypeTable    = "AWS::DynamoDB::Table"
)

// Template is the parsed template.
type Template struct {
	Description string
	Parameters  map[string]Parameter
	// ConditionExprs maps a condition's name to its rendered expression.
	ConditionExprs map[string]string
	Globals        Globals
	// Resources holds every resource by logical id, raw.
	Resources map[string]Resource
	// Functions holds every AWS::Serverless::Function by logical id, with the
	// Globals already applied.
	Functions map[string]*Function
	// Outputs maps an output name to its rendered value.
	Outputs map[string]string
	// Conditions are the conditions ParseFor evaluated, by name (nil from
	// Parse, which evaluates none).
	Conditions map[string]bool
}

// Parameter is one template parameter; Default is rendered as text.
type Parameter struct {
	Type          string
	Default       string
	AllowedValues []string
}

// Resource is a resource as written: its Type and raw Properties/Metadata,
// with intrinsics in long form ({"Ref": …}, {"Fn::Sub": …}).
type Resource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	Condition  string
	// DeletionPolicy and UpdateReplacePolicy as written ("" when absent).
	DeletionPolicy, UpdateReplacePolicy string
}

// Globals holds the template's Globals section.
type Globals struct {
	Function FunctionGlobals
	// HttpAPI is Globals.HttpApi, raw.
	HttpAPI map[string]any
}

// FunctionGlobals are the Globals.Function settings every function inherits.
type FunctionGlobals struct {
	CodeURI, Handler, Runtime string
	Architectures             []string
	MemorySize, Timeout       int
	Environment               map[string]string
}

// Function is a serverless function with its effective settings.
type Function struct {
	LogicalID, CodeURI, Handler, Runtime, BuildMethod string
	Description                                       string
	Architectures                                     []string
	MemorySize, Timeout                               int
	Routes                                            []Route
	Policies                                          []Statement
	// Schedules are the function's Schedule and ScheduleV2 events.
	Schedules []Schedule
	// Streams are its DynamoDB events (streams.go).
	Streams []StreamEvent
	// NamedPolicies are managed policy names/ARNs and SAM policy templates
	// (by template name), which are not expanded into statements.
	NamedPolicies []string
	// Environment is the effective environment, Globals included; intrinsic
	// values are rendered ("!Ref EnrolTable").
	Environment map[string]string
}

// Load reads and parses a template file.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses template text.
func Parse(data []byte) (*Template, error) {
	top, err := parseTop(data)
	if err != nil {
		return nil, err
	}
	return fromTop(top)
}

// parseTop is the template's top-level mapping, intrinsics in long form.
func parseTop(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	root, err := toValue(&doc)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	top, ok := root.(map[string]any)
	if !ok {
		return nil, errors.New("samtemplate: the template is not a mapping")
	}
	return top, nil
}

func fromTop(top map[string]any) (*Template, error) {
	t := &Template{
		Description:    Render(top["Description"]),
		Parameters:     map[string]Parameter{},
		ConditionExprs: map[string]string{},
		Resources:      map[string]Resource{},
		Functions:      map[string]*Function{},
		Outputs:        map[string]string{},
	}
	for name, p := range mapOf(top["Parameters"]) {
		pm := mapOf(p)
		t.Parameters[name] = Parameter{
			Type:          str(pm, "Type"),
			Default:       str(pm, "Default"),
			AllowedValues: strs(pm["AllowedValues"]),
		}
	}
	for name, c := range mapOf(top["Conditions"]) {
		t.ConditionExprs[name] = Render(c)
	}
	for name, o := range mapOf(top["Outputs"]) {
		t.Outputs[name] = str(mapOf(o), "Value")
	}
	t.Globals = parseGlobals(mapOf(top["Globals"]))

	if r, ok := top["Resources"]; ok && r != nil {
		if _, isMap := r.(map[string]any); !isMap {
			return nil, errors.New("samtemplate: Resources is not a mapping")
		}
	}
	for id, r := range mapOf(top["Resources"]) {
		rm, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("samtemplate: resource %s is not a mapping", id)
		}
		t.Resources[id] = Resource{
			Type:       str(rm, "Type"),
			Properties: mapOf(rm["Properties"]),
			Metadata:   mapOf(rm["Metadata"]),
			Condition:  str(rm, "Condition"),

			DeletionPolicy: str(rm, "DeletionPolicy"), UpdateReplacePolicy: str(rm, "UpdateReplacePolicy"),
		}
	}
	for id, r := range t.Resources {
		if r.Type == TypeFunction {
			t.Functions[id] = t.function(id, r)
		}
	}
	return t, nil
}

func parseGlobals(g map[string]any) Globals {
	f := mapOf(g["Function"])
	return Globals{
		Function: FunctionGlobals{
			CodeURI:       str(f, "CodeUri"),
			Handler:       str(f, "Handler"),
			Runtime:       str(f, "Runtime"),
			Architectures: strs(f["Architectures"]),
			MemorySize:    num(f, "MemorySize"),
			Timeout:       num(f, "Timeout"),
			Environment:   envVars(f),
		},
		HttpAPI: mapOf(g["HttpApi"]),
	}
}

// function applies Globals.Function, then the function's own properties.
func (t *Template) function(id string, r Resource) *Function {
	g := t.Globals.Function
	p := r.Properties
	f := &Function{
		LogicalID:     id,
		CodeURI:       or(str(p, "CodeUri"), g.CodeURI),
		Handler:       or(str(p, "Handler"), g.Handler),
		Runtime:       or(str(p, "Runtime"), g.Runtime),
		BuildMethod:   str(r.Metadata, "BuildMethod"),
		Description:   str(p, "Description"),
		Architectures: g.Architectures,
		MemorySize:    g.MemorySize,
		Timeout:       g.Timeout,
		Environment:   map[string]string{},
	}
	if a := strs(p["Architectures"]); a != nil {
		f.Architectures = a
	}
	if n := num(p, "MemorySize"); n != 0 {
		f.MemorySize = n
	}
	if n := num(p, "Timeout"); n != 0 {
		f.Timeout = n
	}
	f.Architectures = append([]string(nil), f.Architectures...)
	// SAM merges environment variables key by key, the function's winning.
	for k, v := range g.Environment {
		f.Environment[k] = v
	}
	for k, v := range envVars(p) {
		f.Environment[k] = v
	}
	f.Policies, f.NamedPolicies = policies(p["Policies"])
	f.Routes = t.functionRoutes(id, p)
	f.Schedules = functionSchedules(id, p)
	f.Streams = functionStreams(id, p)
	return f
}

// TableLogicalIDs lists the AWS::DynamoDB::Table resources, sorted.
func (t *Template) TableLogicalIDs() []string {
	return t.ResourceIDs(TypeTable)
}

// FunctionLogicalIDs lists the functions, sorted.
func (t *Template) FunctionLogicalIDs() []string {
	return t.ResourceIDs(TypeFunction)
}

// ResourceIDs lists the logical ids of the resources of one type, sorted.
func (t *Template) ResourceIDs(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func envVars(props map[string]any) map[string]string {
	vars := mapOf(mapOf(props["Environment"])["Variables"])
	if len(vars) == 0 {
		return nil
	}
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		out[k] = Render(v)
	}
	return out
}

// mapOf is v as a mapping, or nil; lenient on purpose.
func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// str renders m[key] as text ("" when absent).
func str(m map[string]any, key string) string {
	return Render(m[key])
}

// strs renders a scalar or a list as a list of strings; nil when absent.
func strs(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, Render(e))
		}
		return out
	}
	return []string{Render(v)}
}

// num reads an integer property; 0 when absent or not a literal number
// (e.g. a !Ref to a parameter).
func num(m map[string]any, key string) int {
	switch x := m[key].(type) {
	case int:
		return x
	case float64:
		return int(x)
	case string:
		var n int
		if _, err := fmt.Sscan(x, &n); err == nil {
			return n
		}
	}
	return 0
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
