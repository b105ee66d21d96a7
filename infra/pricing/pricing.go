// Package pricing is what a request costs at AWS's list prices: Lambda on
// arm64 by duration and configured memory, the HTTP API's request, and
// DynamoDB's on-demand read and write request units. `make bench` prints
// each request type's cost per million with it (infra/local).
//
// Prices are us-east-1 (N. Virginia) list prices in USD, first tier, no
// free tier or savings plan, read 2026-12 from:
//   - https://aws.amazon.com/lambda/pricing/ (Arm: $0.0000133334 per
//     GB-second for the first 7.5 billion GB-seconds a month; $0.20 per
//     million requests; duration rounded up to the millisecond);
//   - https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs: $1.00 per
//     million requests for the first 300 million a month, each 512 KB);
//   - https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard table
//     class: $0.625 per million write request units, $0.125 per million
//     read request units, since the price cut of 1 November 2024).
//
// Other regions differ: Tokyo (ap-northeast-1) is about a fifth dearer for
// DynamoDB; the China regions (cn-north-1 Beijing, cn-northwest-1 Ningxia,
// where the city's deployment would run) are priced in CNY by Sinnet and
// NWCD on their own price lists. The figures compare designs; they are not
// a bill.
package pricing

import "math"

// List prices, USD, us-east-1 (see the package comment).
const (
	LambdaArmPerGBSecond = 0.0000133334
	LambdaPerMillion     = 0.20
	HTTPAPIPerMillion    = 1.00
	WriteUnitsPerMillion = 0.625
	ReadUnitsPerMillion  = 0.125
	Region               = "us-east-1"
	PricesRead           = "2026-12"
)

// Request is one request of a type, as measured.
type Request struct {
	DurationMS float64 // the function's duration
	MemoryMB   int     // the function's configured MemorySize
	Read       float64 // read request units
	Write      float64 // write request units
}

// Cost is what a million such requests cost, USD, by service.
type Cost struct {
	Lambda, HTTPAPI, DynamoDB float64
}

// Total is the cost all in.
func (c Cost) Total() float64 { return c.Lambda + c.HTTPAPI + c.DynamoDB }

// PerMillion is what a million requests like r cost: Lambda's requests and
// its duration billed by the millisecond (rounded up) at the configured
// memory, one HTTP API request each, and their DynamoDB units.
func PerMillion(r Request) Cost {
	billedSeconds := math.Ceil(r.DurationMS) / 1000
	gbSeconds := billedSeconds * float64(r.MemoryMB) / 1024
	return Cost{
		Lambda:   LambdaPerMillion + gbSeconds*LambdaArmPerGBSecond*1e6,
		HTTPAPI:  HTTPAPIPerMillion,
		DynamoDB: r.Read*ReadUnitsPerMillion + r.Write*WriteUnitsPerMillion,
	}
}
