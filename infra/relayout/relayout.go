// Package relayout moves a table written before issue 17's reshape to the
// layout the store now writes (shared/store/DESIGN.md, "What a request
// costs"): each offering's index keys onto its listing item
// (OFFERING#<id>/LISTING), and onto each identity's person item
// (IDENTITY#<hmac>/PERSON) what the identity's other items held: each
// ACTIVE#<offering> marker as held#<offering>, each BLOCK#<kind>#<term>
// no-show block and each TERM#<kind>#<term> item's count, holds and block
// as attributes named for the kind and term (active#<kind>#<term>,
// blocked_until#…, block_absences#…, because_of#…), the VERIFIED item, and
// each live participant's name (live#<account>). Each move is one
// transaction (the new place written, the old removed), so a run cut short
// leaves every item moved or not, and a second run moves what is left and
// nothing twice. Run it after the new code is deployed and before bookings
// open again: a booking written by the old code meanwhile would write the
// old layout. infra/tablecheck then checks the result.
package relayout

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
)

// Client is what a run calls.
type Client interface {
	dynamodb.ScanAPIClient
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Report is what a run moved, and what it could not.
type Report struct {
	Listings, Markers, Blocks int
	// Terms: TERM#<kind>#<term> items moved onto person items.
	Terms int
	// Verifications moved onto person items; People: participants named
	// on theirs.
	Verifications, People int
	// Skipped: markers whose booking is not in the table (tablecheck
	// reports them too); left as they are.
	Skipped []string
}

var indexKeys = []string{"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"}

// Run moves table's items to the new layout.
func Run(ctx context.Context, db Client, table string) (Report, error) {
	var r Report
	items, err := tablecheck.Scan(ctx, db, table)
	if err != nil {
		return r, err
	}
	bookings := map[string]map[string]types.AttributeValue{} // account/booking id
	people := map[string]map[string]types.AttributeValue{}   // PERSON items by PK
	for _, m := range items {
		switch pk, sk := str(m, "PK"), str(m, "SK"); {
		case strings.HasPrefix(pk, "ACCOUNT#") && strings.HasPrefix(sk, "BOOKING#"):
			bookings[strings.TrimPrefix(pk, "ACCOUNT#")+"/"+strings.TrimPrefix(sk, "BOOKING#")] = m
		case strings.HasPrefix(pk, "IDENTITY#") && sk == "PERSON":
			people[pk] = m
		}
	}
	write := func(items ...types.TransactWriteItem) error {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	}
	for _, m := range items {
		pk, sk := str(m, "PK"), str(m, "SK")
		key := map[string]types.AttributeValue{"PK": m["PK"], "SK": m["SK"]}
		switch {
		case strings.HasPrefix(pk, "OFFERING#") && sk == "OFFERING" && m["GSI2PK"] != nil:
			// The offering's own index keys, as the old code wrote them,
			// become its listing's.
			listing := map[string]types.AttributeValue{"PK": m["PK"], "SK": &types.AttributeValueMemberS{Value: "LISTING"},
				"type": &types.AttributeValueMemberS{Value: "offering_listing"}, "id": m["id"]}
			for _, k := range indexKeys {
				if m[k] != nil {
					listing[k] = m[k]
				}
			}
			err = write(types.TransactWriteItem{Put: &types.Put{TableName: &table, Item: listing}},
				types.TransactWriteItem{Update: &types.Update{TableName: &table, Key: key,
					UpdateExpression: aws.String("REMOVE " + strings.Join(indexKeys, ", "))}})
			r.Listings++
		case strings.HasPrefix(pk, "IDENTITY#") && strings.HasPrefix(sk, "ACTIVE#"):
			offering := strings.TrimPrefix(sk, "ACTIVE#")
			b := bookings[str(m, "account")+"/"+str(m, "booking_id")]
			if b == nil {
				r.Skipped = append(r.Skipped, pk+" | "+sk)
				continue
			}
			hold := str(m, "account") + "|" + str(m, "booking_id")
			err = write(types.TransactWriteItem{Update: &types.Update{TableName: &table,
				Key:              personKey(m["PK"]),
				UpdateExpression: aws.String("SET #held = :hold"),
				// Another booking of the offering held there already is a
				// duplicate: refused, for tablecheck to show.
				ConditionExpression:       aws.String("attribute_not_exists(#held) OR #held = :hold"),
				ExpressionAttributeNames:  map[string]string{"#held": "held#" + offering},
				ExpressionAttributeValues: map[string]types.AttributeValue{":hold": &types.AttributeValueMemberS{Value: hold}},
			}}, types.TransactWriteItem{Delete: &types.Delete{TableName: &table, Key: key}})
			r.Markers++
		case strings.HasPrefix(pk, "IDENTITY#") && strings.HasPrefix(sk, "BLOCK#"):
			kt := "#" + strings.TrimPrefix(sk, "BLOCK#")
			values := map[string]types.AttributeValue{":until": m["blocked_until"], ":because": &types.AttributeValueMemberS{Value: str(m, "because_of")},
				":n": &types.AttributeValueMemberN{Value: "0"}}
			if n, ok := m["absences"].(*types.AttributeValueMemberN); ok {
				values[":n"] = n
			}
			err = write(types.TransactWriteItem{Update: &types.Update{TableName: &table, Key: personKey(m["PK"]),
				UpdateExpression:          aws.String("SET #until = :until, #n = :n, #because = :because"),
				ExpressionAttributeNames:  map[string]string{"#until": "blocked_until" + kt, "#n": "block_absences" + kt, "#because": "because_of" + kt},
				ExpressionAttributeValues: values,
			}}, types.TransactWriteItem{Delete: &types.Delete{TableName: &table, Key: key}})
			r.Blocks++
		case strings.HasPrefix(pk, "IDENTITY#") && strings.HasPrefix(sk, "TERM#"):
			del := types.TransactWriteItem{Delete: &types.Delete{TableName: &table, Key: key}}
			if move, ok := termMove(table, m); ok {
				err = write(move, del)
			} else {
				err = write(del) // keys only: nothing to move
			}
			r.Terms++
		case strings.HasPrefix(pk, "IDENTITY#") && sk == "VERIFIED":
			// Every attribute but the keys and type, onto the person item
			// (created if the identity has none yet).
			names, values := map[string]string{}, map[string]types.AttributeValue{}
			var set []string
			for name, v := range m {
				if name == "PK" || name == "SK" || name == "type" {
					continue
				}
				i := fmt.Sprint(len(set))
				names["#a"+i], values[":a"+i] = name, v
				set = append(set, "#a"+i+" = :a"+i)
			}
			err = write(types.TransactWriteItem{Update: &types.Update{TableName: &table, Key: personKey(m["PK"]),
				UpdateExpression: aws.String("SET " + strings.Join(set, ", ")), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			}}, types.TransactWriteItem{Delete: &types.Delete{TableName: &table, Key: key}})
			r.Verifications++
		case strings.HasPrefix(pk, "ACCOUNT#") && strings.HasPrefix(sk, "PARTICIPANT#") && str(m, "identity") != "" && m["erasing_at"] == nil:
			live := "live#" + strings.TrimPrefix(pk, "ACCOUNT#")
			if p := people["IDENTITY#"+str(m, "identity")]; p != nil && str(p, live) == str(m, "id") {
				continue // named already
			}
			err = write(types.TransactWriteItem{Update: &types.Update{TableName: &table,
				Key:              personKey(&types.AttributeValueMemberS{Value: "IDENTITY#" + str(m, "identity")}),
				UpdateExpression: aws.String("SET #live = :id"),
				// Only while the participant is as read: one being erased
				// meanwhile must not be named.
				ConditionExpression:       aws.String("attribute_not_exists(#live) OR #live = :id"),
				ExpressionAttributeNames:  map[string]string{"#live": live},
				ExpressionAttributeValues: map[string]types.AttributeValue{":id": m["id"]},
			}}, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key,
				ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(erasing_at)")}})
			r.People++
		}
		if err != nil {
			return r, fmt.Errorf("relayout %s | %s: %w", pk, sk, err)
		}
	}
	return r, nil
}

// termMove is the update of a person item that takes in its TERM# item m:
// the count added (the TERM# item goes in the same transaction, so once),
// each hold set unless another booking of the offering holds it (a
// duplicate: refused, for tablecheck to show), the block's attributes set;
// each named for the item's kind and term but the holds (offering ids are
// unique city-wide). Not ok: m holds nothing but its keys.
func termMove(table string, m map[string]types.AttributeValue) (types.TransactWriteItem, bool) {
	kt := "#" + strings.TrimPrefix(str(m, "SK"), "TERM#")
	names, values := map[string]string{}, map[string]types.AttributeValue{}
	var set, add, cond []string
	for _, name := range slices.Sorted(maps.Keys(m)) {
		i := fmt.Sprint(len(names))
		a, v := "#a"+i, ":a"+i
		switch {
		case name == "PK" || name == "SK":
			continue
		case name == "active":
			names[a], values[v] = "active"+kt, m[name]
			add = append(add, a+" "+v)
		case strings.HasPrefix(name, "held#"):
			names[a], values[v] = name, m[name]
			set = append(set, a+" = "+v)
			cond = append(cond, "(attribute_not_exists("+a+") OR "+a+" = "+v+")")
		default: // blocked_until, block_absences, because_of
			names[a], values[v] = name+kt, m[name]
			set = append(set, a+" = "+v)
		}
	}
	var update []string
	if len(set) > 0 {
		update = append(update, "SET "+strings.Join(set, ", "))
	}
	if len(add) > 0 {
		update = append(update, "ADD "+strings.Join(add, ", "))
	}
	u := &types.Update{TableName: &table, Key: personKey(m["PK"]), UpdateExpression: aws.String(strings.Join(update, " ")),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values}
	if len(cond) > 0 {
		u.ConditionExpression = aws.String(strings.Join(cond, " AND "))
	}
	return types.TransactWriteItem{Update: u}, len(update) > 0
}

func personKey(pk types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": pk, "SK": &types.AttributeValueMemberS{Value: "PERSON"}}
}

func str(m map[string]types.AttributeValue, name string) string {
	if v, ok := m[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
