package samtemplate

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableProps is the part of AWS::DynamoDB::Table the local store needs.
// Decoding through JSON keeps the conversion declarative; fields that hold
// intrinsics (TableName: !Sub …) are simply not listed here.
type tableProps struct {
	BillingMode            string
	AttributeDefinitions   []struct{ AttributeName, AttributeType string }
	KeySchema              []keyElement
	GlobalSecondaryIndexes []struct {
		IndexName             string
		KeySchema             []keyElement
		Projection            projection
		ProvisionedThroughput *throughput
	}
	LocalSecondaryIndexes []struct {
		IndexName  string
		KeySchema  []keyElement
		Projection projection
	}
	ProvisionedThroughput *throughput
	StreamSpecification   *struct{ StreamViewType string }
}

type keyElement struct{ AttributeName, KeyType string }

type projection struct {
	ProjectionType   string
	NonKeyAttributes []string
}

type throughput struct{ ReadCapacityUnits, WriteCapacityUnits int64 }

// Table builds a CreateTableInput from an AWS::DynamoDB::Table resource.
// TableName is left nil: the caller names the local table.
func (t *Template) Table(logicalID string) (*dynamodb.CreateTableInput, error) {
	r, ok := t.Resources[logicalID]
	if !ok {
		return nil, fmt.Errorf("samtemplate: no resource %q", logicalID)
	}
	if r.Type != TypeTable {
		return nil, fmt.Errorf("samtemplate: %s is a %s, not a %s", logicalID, r.Type, TypeTable)
	}
	raw, err := json.Marshal(r.Properties)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: table %s: %w", logicalID, err)
	}
	var p tableProps
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("samtemplate: table %s: %w", logicalID, err)
	}
	if len(p.KeySchema) == 0 {
		return nil, fmt.Errorf("samtemplate: table %s has no KeySchema", logicalID)
	}
	in := &dynamodb.CreateTableInput{
		KeySchema:             keySchema(p.KeySchema),
		ProvisionedThroughput: p.ProvisionedThroughput.sdk(),
	}
	if p.StreamSpecification != nil {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(p.StreamSpecification.StreamViewType)}
	}
	if p.BillingMode != "" {
		in.BillingMode = types.BillingMode(p.BillingMode)
	}
	for _, a := range p.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             aws.String(g.IndexName),
			KeySchema:             keySchema(g.KeySchema),
			Projection:            g.Projection.sdk(),
			ProvisionedThroughput: g.ProvisionedThroughput.sdk(),
		})
	}
	for _, l := range p.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(l.IndexName),
			KeySchema:  keySchema(l.KeySchema),
			Projection: l.Projection.sdk(),
		})
	}
	return in, nil
}

// TableTTLAttribute is the table's TimeToLiveSpecification attribute, if
// enabled; a local store can expire items the way DynamoDB would.
func (t *Template) TableTTLAttribute(logicalID string) (string, bool) {
	ttl := mapOf(t.Resources[logicalID].Properties["TimeToLiveSpecification"])
	name := str(ttl, "AttributeName")
	enabled, _ := ttl["Enabled"].(bool)
	return name, enabled && name != ""
}

func keySchema(ks []keyElement) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       types.KeyType(k.KeyType),
		})
	}
	return out
}

func (p projection) sdk() *types.Projection {
	out := &types.Projection{NonKeyAttributes: p.NonKeyAttributes}
	if p.ProjectionType != "" {
		out.ProjectionType = types.ProjectionType(p.ProjectionType)
	}
	return out
}

func (t *throughput) sdk() *types.ProvisionedThroughput {
	if t == nil {
		return nil
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(t.ReadCapacityUnits),
		WriteCapacityUnits: aws.Int64(t.WriteCapacityUnits),
	}
}
