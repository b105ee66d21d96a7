package store

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// What a cancelled TransactWriteItems says about why: the order of a
// transaction's items decides which failed condition its caller reports.

// failedAt is the index of the transaction item whose condition failed, or
// -1 when err is no such cancellation.
func failedAt(err error) int {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return -1
	}
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			return i
		}
	}
	return -1
}

// failedItem is the item a failed condition returned (ALL_OLD), or an empty map.
func failedItem(err error, at int) map[string]types.AttributeValue {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && at < len(tce.CancellationReasons) && tce.CancellationReasons[at].Item != nil {
		return tce.CancellationReasons[at].Item
	}
	return map[string]types.AttributeValue{}
}

// cancelled reports whether err is a cancelled transaction (a failed
// condition or a conflict with another transaction).
func cancelled(err error) bool {
	var tce *types.TransactionCanceledException
	var conflict *types.TransactionConflictException
	return errors.As(err, &tce) || errors.As(err, &conflict)
}
