package pricing_test

import (
	"math"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/pricing"
)

// TestPerMillion: worked by hand from the list prices.
func TestPerMillion(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    pricing.Request
		want pricing.Cost
	}{
		// 20 ms at 256 MB: 0.02 s × 0.25 GB = 0.005 GB-s each, 5,000 GB-s a
		// million, × $0.0000133334 = $0.066667, plus $0.20 of requests.
		{"a booking-like request", pricing.Request{DurationMS: 20, MemoryMB: 256, Read: 2, Write: 16},
			pricing.Cost{Lambda: 0.20 + 0.0666670, HTTPAPI: 1, DynamoDB: 2*0.125 + 16*0.625}},
		// 0.2 ms is billed as 1 ms: 0.001 × 1 GB × 1e6 = 1,000 GB-s.
		{"duration rounds up to the millisecond", pricing.Request{DurationMS: 0.2, MemoryMB: 1024},
			pricing.Cost{Lambda: 0.20 + 0.0133334, HTTPAPI: 1}},
		{"an eventually consistent read", pricing.Request{DurationMS: 1, MemoryMB: 128, Read: 0.5},
			pricing.Cost{Lambda: 0.20 + 0.125*0.0133334, HTTPAPI: 1, DynamoDB: 0.0625}},
	} {
		got := tc.r
		c := pricing.PerMillion(got)
		for _, pair := range [][2]float64{{c.Lambda, tc.want.Lambda}, {c.HTTPAPI, tc.want.HTTPAPI}, {c.DynamoDB, tc.want.DynamoDB}} {
			if math.Abs(pair[0]-pair[1]) > 1e-6 {
				t.Errorf("%s: %+v, want %+v", tc.name, c, tc.want)
				break
			}
		}
		if math.Abs(c.Total()-(tc.want.Lambda+tc.want.HTTPAPI+tc.want.DynamoDB)) > 1e-6 {
			t.Errorf("%s: total %v", tc.name, c.Total())
		}
	}
}
