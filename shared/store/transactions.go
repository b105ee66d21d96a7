package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// fault is what DynamoDB's answer means for the request.
type fault int

const (
	faultNone        fault = iota // this item was fine
	faultCondition                // its condition failed: the caller declared what that means (txn.add)
	faultConflict                 // another write had the item: read again and retry
	faultUnavailable              // throttled or DynamoDB's own trouble: 503 with Retry-After
	faultInvalid                  // our request is wrong, or a code unknown here: a logged 500
)

// codes is the one table from DynamoDB's codes to what they mean: the code
// of each of a cancelled transaction's reasons (CancellationReasons[i].Code),
// and the code of an error itself. A code not listed is faultInvalid.
var codes = map[string]fault{
	// Reasons, one per item of a cancelled TransactWriteItems.
	"":                                faultNone,
	"None":                            faultNone,
	"NONE":                            faultNone,
	"ConditionalCheckFailed":          faultCondition,
	"TransactionConflict":             faultConflict,
	"ThrottlingError":                 faultUnavailable,
	"ProvisionedThroughputExceeded":   faultUnavailable,
	"RequestLimitExceeded":            faultUnavailable, // also an error's own code
	"ValidationError":                 faultInvalid,
	"ItemCollectionSizeLimitExceeded": faultInvalid,
	// Errors' own codes.
	"ConditionalCheckFailedException":        faultCondition,
	"TransactionConflictException":           faultConflict, // a single-item write met a transaction
	"TransactionInProgressException":         faultConflict,
	"ReplicatedWriteConflictException":       faultConflict, // multi-Region strong consistency
	"ThrottlingException":                    faultUnavailable,
	"ProvisionedThroughputExceededException": faultUnavailable,
	"InternalServerError":                    faultUnavailable,
	"ServiceUnavailable":                     faultUnavailable, // HTTP 503
}

func faultOf(code string) fault {
	if f, ok := codes[code]; ok {
		return f
	}
	return faultInvalid
}

// errorFault is the fault an error's own code names, or faultInvalid.
func errorFault(err error) fault {
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		return faultOf(apiErr.ErrorCode())
	}
	return faultInvalid
}

// onFail says what a failed condition on one transaction item means.
type onFail struct {
	// rule, when set, is the rule the condition checks: the request broke
	// it, and domain.Refusal gives the answer, with facts read from the
	// item as it stood (when the write asked for it back, else empty).
	rule  domain.Rule
	facts func(old map[string]types.AttributeValue) domain.Facts
	// outcome, when set, is what the caller gets instead: a store outcome
	// it acts on, not a rule (ErrIdempotencyTaken, a participant erased
	// meanwhile).
	outcome error
	// contended: concurrent requests change what the condition guards (the
	// offering's counters, the waitlist, a booking's status), so the
	// request reads again and retries.
	contended bool
	// decide, when set, picks the rule from the item as it stood: one
	// item's condition checks several rules (a person item: verification, participant, no-show
	// block and term limit). No rule ("") means contended: read again.
	decide func(old map[string]types.AttributeValue) (domain.Rule, domain.Facts)
}

var (
	// unconditional is an item whose condition is never expected to fail
	// (or which has none): a failure is a defect, a logged 500.
	unconditional = onFail{}
	contended     = onFail{contended: true}
)

// checks is an item whose condition checks rule r, whose refusal says f.
func checks(r domain.Rule, f domain.Facts) onFail {
	return onFail{rule: r, facts: func(map[string]types.AttributeValue) domain.Facts { return f }}
}

// ruleOf is the rule a failed condition broke ("" for an outcome).
func (f onFail) ruleOf(old map[string]types.AttributeValue) domain.Rule {
	if f.outcome == nil && f.decide != nil {
		r, _ := f.decide(old)
		return r
	}
	return f.rule
}

// refused is the answer to a failed condition that checks a rule, or
// f.outcome.
func (f onFail) refused(old map[string]types.AttributeValue) error {
	if f.outcome != nil {
		return f.outcome
	}
	if f.decide != nil {
		return domain.Refusal(f.decide(old))
	}
	var facts domain.Facts
	if f.facts != nil {
		facts = f.facts(old)
	}
	return domain.Refusal(f.rule, facts)
}

// txn is one TransactWriteItems and, item by item, what its failed
// conditions mean. Callers say it as they add items; outcome reads every
// reason DynamoDB gives.
type txn struct {
	items  []types.TransactWriteItem
	onFail []onFail
	// counts are the metrics the write makes true, counted once it lands.
	counts []count
}

type count struct {
	name string
	dim  metrics.Dim
}

// count notes a metric the transaction counts when it is written.
func (t *txn) count(name string, dim metrics.Dim) { t.counts = append(t.counts, count{name, dim}) }

// add appends items that share one meaning of a failed condition.
func (t *txn) add(f onFail, items ...types.TransactWriteItem) {
	for _, it := range items {
		t.items = append(t.items, it)
		t.onFail = append(t.onFail, f)
	}
}

// transact writes t and returns its outcome.
func (st *Store) transact(ctx context.Context, t *txn) error {
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items})
	if err := t.outcome(err); err != nil {
		return err
	}
	for _, c := range t.counts {
		metrics.Count(ctx, c.name, c.dim)
	}
	return nil
}

// outcome turns the transaction's error into the request's answer. Every
// reason is read, since DynamoDB gives one for each item (as the embedded
// server's guard does). In order: any
// invalid reason (a validation error, an unknown code, a condition nobody
// declared) is a 500; else the first broken rule in item order is the
// answer (the term limit last: a duplicate is the answer before it, as
// when the two had their own items); else throttling is 503; else a conflict or a failed condition on
// a contended item is ErrContention, which the caller retries — or, when
// the caller declared nothing contended and so does not retry, 503.
func (t *txn) outcome(err error) error {
	if err == nil {
		return nil
	}
	tce, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		if errorFault(err) == faultConflict {
			return t.contention(err)
		}
		return classify(err)
	}
	var refused, termLimit error
	var throttled, conflict bool
	reasons := make([]string, len(tce.CancellationReasons)) // for the log
	for i, r := range tce.CancellationReasons {
		reasons[i] = aws.ToString(r.Code)
	}
	for i, r := range tce.CancellationReasons {
		switch faultOf(reasons[i]) {
		case faultInvalid:
			return internal(fmt.Errorf("transaction cancelled, reasons %v: %w", reasons, err))
		case faultCondition:
			switch f := t.onFailAt(i); {
			case f.outcome == nil && f.decide != nil && f.ruleOf(r.Item) == "":
				conflict = true
			case f.rule != "" || f.outcome != nil || f.decide != nil:
				switch err := f.refused(r.Item); {
				case f.ruleOf(r.Item) == domain.RuleTermLimit:
					termLimit = cmp.Or(termLimit, err)
				case refused == nil:
					refused = err
				}
			case f.contended:
				conflict = true
			default:
				return internal(fmt.Errorf("transaction cancelled, undeclared condition failed at item %d, reasons %v: %w", i, reasons, err))
			}
		case faultConflict:
			conflict = true
		case faultUnavailable:
			throttled = true
		}
	}
	switch {
	case refused != nil:
		return refused
	case termLimit != nil:
		return termLimit
	case throttled:
		return unavailable(fmt.Errorf("transaction throttled, reasons %v: %w", reasons, err))
	case conflict:
		return t.contention(fmt.Errorf("transaction conflict, reasons %v: %w", reasons, err))
	}
	return internal(fmt.Errorf("transaction cancelled without a reason, reasons %v: %w", reasons, err))
}

func (t *txn) onFailAt(i int) onFail {
	if i < len(t.onFail) {
		return t.onFail[i]
	}
	return unconditional
}

// contention is ErrContention for a caller that retries (it declared a
// contended item), else the 503 that lets the client retry instead.
func (t *txn) contention(err error) error {
	for _, f := range t.onFail {
		if f.contended {
			return ErrContention
		}
	}
	return unavailable(err)
}
