package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// ClaimDecision is staff's decision on one claim an application made at one
// offering (issue 14, "Claims checked by people").
type ClaimDecision struct {
	// Application is its entry at the offering (GetEntry): account, id,
	// round.
	Application domain.Application
	OfferingID  string
	// Claim is the claim as decided: its code, the new status, the note,
	// when and by whom.
	Claim domain.Claim
	// Audit is the centre's record of the decision.
	Audit AuditEntry
}

// A decision's refusals: the application was withdrawn or drawn, or never
// made the claim at this offering (404); the draw closed its tickets (409).
var (
	claimGone   = onFail{outcome: domain.NotFound("claim")}
	claimClosed = onFail{outcome: apperr.New(apperr.ApplicationsClosed, "申请已截止，优先条件不能再审核", "Applications have closed; claims can no longer be decided")}
)

// DecideClaim writes a decision in one transaction: the entry's
// claims.<code> and the record's claims.<offering|code>, on condition that
// the draw the application is in has not closed its tickets (else
// applications_closed), the record is still applied and both hold the claim
// (else not found), and the audit record in the centre's log. Deciding again
// overwrites: the last decision counts, each one is audited.
func (st *Store) DecideClaim(ctx context.Context, d ClaimDecision) error {
	a := d.Application
	item, err := attributevalue.Marshal(claimToItem(d.Claim))
	if err != nil {
		return classify(err)
	}
	var t txn
	t.add(claimClosed, st.beforeClose(a))
	// Claim keys are map keys with "|" and codes: always names, never paths.
	t.add(claimGone, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: applicationKey(a.Account, a.ID),
		UpdateExpression:          aws.String("SET claims.#k = :claim"),
		ConditionExpression:       aws.String("#status = :applied AND attribute_exists(claims.#k)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#k": ClaimKey(d.OfferingID, d.Claim.Code)},
		ExpressionAttributeValues: map[string]types.AttributeValue{":claim": item, ":applied": s(string(domain.ApplicationApplied))},
	}})
	t.add(claimGone, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: entryKey(d.OfferingID, a.ID),
		UpdateExpression:          aws.String("SET claims.#k = :claim"),
		ConditionExpression:       aws.String("attribute_exists(claims.#k)"),
		ExpressionAttributeNames:  map[string]string{"#k": d.Claim.Code},
		ExpressionAttributeValues: map[string]types.AttributeValue{":claim": item},
	}})
	t.add(unconditional, st.auditPut(d.Audit))
	return st.transact(ctx, &t)
}
