package faults

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parse reads a spec such as "rate=0.05,seed=7,kinds=all,ops=writes,delay=200ms"
// (make run's ENROL_FAULTS) into what it asks of an injector: a Random rule,
// and Slow's delay if given. "5%" alone means rate=0.05 with every kind on
// every operation; a rate may be a fraction or a percentage. kinds and ops
// take several values separated by commas ("kinds=throttling,conflict");
// ops may be operation names or "writes", "reads", "all". The seed defaults
// to 1. An error names the bad part in Chinese and English.
func Parse(spec string) (func(*Injector), error) {
	var (
		rate            = -1.0
		seed     uint64 = 1
		kinds    []Kind
		ops      []string
		delay    time.Duration
		allOps   bool
		list     string // the key a bare value continues: kinds or ops
		seenKeys = map[string]bool{}
	)
	bad := func(part, zh, en string) error {
		return fmt.Errorf("故障注入设置 %q 有误：%s / fault spec: bad part %q: %s", part, zh, part, en)
	}
	if strings.TrimSpace(spec) == "" {
		return nil, bad(spec, "为空", "it is empty")
	}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			switch {
			case list != "":
				key, value = list, part
			case rate < 0 && !seenKeys["rate"]:
				key, value = "rate", part
			default:
				return nil, bad(part, "应为 键=值（rate、seed、kinds、ops、delay）", "want key=value (rate, seed, kinds, ops, delay)")
			}
		} else {
			key = strings.ToLower(strings.TrimSpace(key))
			value = strings.TrimSpace(value)
			if seenKeys[key] {
				return nil, bad(part, "重复的键", "the key is given twice")
			}
			seenKeys[key] = true
		}
		list = ""
		switch key {
		case "rate":
			r, err := parseRate(value)
			if err != nil {
				return nil, bad(part, "比例应在 0 与 1 之间（如 0.05）或为百分比（如 5%）", "the rate is a fraction in 0..1 (0.05) or a percentage (5%)")
			}
			rate = r
		case "seed":
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return nil, bad(part, "种子应为非负整数", "the seed is a whole number")
			}
			seed = n
		case "delay":
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return nil, bad(part, "延迟应为正的时长（如 200ms）", "the delay is a positive duration (200ms)")
			}
			delay = d
		case "kinds":
			list = key
			if strings.EqualFold(value, "all") {
				kinds = append(kinds, AllKinds...)
				break
			}
			k := Kind(strings.ToLower(value))
			if !slices.Contains(AllKinds, k) {
				return nil, bad(part, "未知的故障类型，可用："+kindNames(), "unknown kind; kinds are "+kindNames())
			}
			kinds = append(kinds, k)
		case "ops":
			list = key
			switch strings.ToLower(value) {
			case "all":
				allOps = true
			case "writes":
				ops = append(ops, Writes...)
			case "reads":
				ops = append(ops, Reads...)
			default:
				if !slices.Contains(Writes, value) && !slices.Contains(Reads, value) {
					return nil, bad(part, "未知的操作，可用 writes、reads、all 或 "+strings.Join(slices.Concat(Writes, Reads), "、"),
						"unknown operation; use writes, reads, all or "+strings.Join(slices.Concat(Writes, Reads), ", "))
				}
				ops = append(ops, value)
			}
		default:
			return nil, bad(part, "未知的键（rate、seed、kinds、ops、delay）", "unknown key (rate, seed, kinds, ops, delay)")
		}
	}
	if rate < 0 {
		return nil, bad(spec, "缺少比例 rate", "no rate given")
	}
	if allOps {
		ops = nil
	}
	kinds, ops = unique(kinds), unique(ops)
	return func(f *Injector) {
		if delay > 0 {
			f.SetDelay(delay)
		}
		f.Random(rate, seed, kinds, ops...)
	}, nil
}

func parseRate(v string) (float64, error) {
	scale := 1.0
	if p, ok := strings.CutSuffix(v, "%"); ok {
		v, scale = p, 100
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, err
	}
	r /= scale
	if r < 0 || r > 1 || r != r {
		return 0, fmt.Errorf("rate %v out of 0..1", r)
	}
	return r, nil
}

func kindNames() string {
	names := make([]string, len(AllKinds))
	for i, k := range AllKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// unique drops repeats, keeping the first of each in order.
func unique[T comparable](s []T) []T {
	var out []T
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
