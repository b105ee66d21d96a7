// Command verify-draw recomputes a lottery offering's draw from its public
// draw document and says whether every number and rank is right — the check
// a resident or a journalist runs without trusting enrol:
//
//	go run ./cmd/verify-draw https://…/v1/offerings/<offering_id>/draw
//	go run ./cmd/verify-draw draw.json
//	curl -s https://…/v1/offerings/<offering_id>/draw | go run ./cmd/verify-draw -
//	go run ./cmd/verify-draw -offering <offering_id> -application <application_id> <url or file>
//	go run ./cmd/verify-draw https://…/v1/rounds/<round_id>/draw
//
// A drawn document that checks is consistent with itself; -earlier compares it
// with a copy saved when applications opened or closed, which is what shows
// that the commitment, the beacon round and the tickets were not rewritten
// since. A document not yet drawn is checked as far as it goes (the tickets
// against their digest once closed). With -offering and -application it also
// finds the applicant's own ticket and rank. It exits 0 when everything
// present is right, 1 when something is not (every mismatch is listed, in
// Chinese and English) or the applicant's ticket is missing, 2 when it cannot
// read a document. The arithmetic is shared/lottery's, the code enrol draws
// with.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// maxDocument bounds what is read: a draw of 200,000 applications is about
// 40 MB of JSON.
const maxDocument = 256 << 20

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, http.DefaultClient))
}

// fetchTimeout bounds a whole fetch of a document by URL.
const fetchTimeout = 60 * time.Second

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, client *http.Client) int {
	flags := flag.NewFlagSet("verify-draw", flag.ContinueOnError)
	flags.SetOutput(stderr)
	offering := flags.String("offering", "", "the offering's id, to find your own ticket (with -application)")
	application := flags.String("application", "", "your application's id, to find your own ticket")
	earlierPath := flags.String("earlier", "", "a copy of the same draw document saved earlier (when applications opened or closed), which the document must agree with (a URL, a file or -)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "用法 / usage: verify-draw [-earlier saved.json] [-offering ID -application ID] <https://…/v1/offerings/ID/draw | draw.json | ->")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil || flags.NArg() > 1 || (*offering == "") != (*application == "") {
		if err == nil {
			flags.Usage()
		}
		return 2
	}
	r := reader{stdin: stdin, client: client}
	doc, err := r.read(flags.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *earlierPath != "" {
		earlier, err := r.read(*earlierPath)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		if err := lottery.Unchanged(earlier, doc); err != nil {
			return failed(stdout, []error{err})
		}
		fmt.Fprintf(stdout, "与%s保存的副本一致。\nAgrees with the copy saved in %s.\n", *earlierPath, *earlierPath)
	}

	var own []lottery.Result // where to look for the applicant's ticket
	if doc.Status == lottery.StatusCommitted {
		if doc.ApplicantsDigest == "" {
			fmt.Fprintf(stdout, "尚未截止申请：承诺值 %s，信标%s第%d轮。\n", doc.Commitment, doc.Beacon.Source, doc.Beacon.Round)
			fmt.Fprintf(stdout, "Applications are not closed yet: commitment %s, beacon %s round %d.\n", doc.Commitment, doc.Beacon.Source, doc.Beacon.Round)
			fmt.Fprintln(stdout, "请保存本文件，抽签后用 -earlier 核对。/ Save this document and check the draw against it with -earlier.")
			return 0
		}
		if err := lottery.CheckTickets(doc); err != nil {
			return failed(stdout, []error{err})
		}
		fmt.Fprintf(stdout, "尚未抽签：%d个签号与其摘要一致。\nNot drawn yet: the %d tickets match their digest.\n", len(doc.Tickets), len(doc.Tickets))
		fmt.Fprintln(stdout, "请保存本文件，抽签后用 -earlier 核对。/ Save this document and check the draw against it with -earlier.")
		for _, t := range doc.Tickets {
			own = append(own, lottery.Result{Ticket: t})
		}
	} else {
		if ms := lottery.Mismatches(doc, doc.Results); len(ms) > 0 {
			errs := make([]error, len(ms))
			for i, m := range ms {
				errs[i] = m
			}
			return failed(stdout, errs)
		}
		n := len(doc.Results)
		fmt.Fprintf(stdout, "核验通过：%d个签号，%d个名次全部重现；承诺值、签号摘要、种子和每个随机号都正确。\n", len(doc.Tickets), n)
		fmt.Fprintf(stdout, "Checked: %d tickets, all %d ranks reproduced; the commitment, the tickets' digest, the seed and every number are right.\n", len(doc.Tickets), n)
		// The document cannot prove where its randomness came from; the beacon can.
		fmt.Fprintf(stdout, "请到信标来源（%s）核对第%d轮的随机数是否为 %s。\n", doc.Beacon.Source, doc.Beacon.Round, doc.Beacon.Randomness)
		fmt.Fprintf(stdout, "Check at the beacon (%s) that round %d's randomness is %s.\n", doc.Beacon.Source, doc.Beacon.Round, doc.Beacon.Randomness)
		own = doc.Results
	}

	if *offering == "" {
		return 0
	}
	// A round's ticket (issue 14) is drawn in the round's name, whichever
	// of its offerings' documents this is; those who did not choose this
	// offering rank after all who did, at not_chosen_tier.
	ticket := lottery.Ticket(*offering, *application)
	if doc.RoundID != "" {
		ticket = lottery.Ticket(doc.RoundID, *application)
	}
	if doc.NotChosenTier > 0 {
		chose := own[:0:0]
		for _, r := range own {
			if r.Tier < doc.NotChosenTier {
				chose = append(chose, r)
			}
		}
		own = chose
	}
	for _, r := range own {
		switch {
		case r.Ticket != ticket:
		case r.Rank == 0:
			fmt.Fprintf(stdout, "你的签号 %s 在名单中。\nYour ticket %s is among the tickets.\n", ticket, ticket)
			return 0
		default:
			fmt.Fprintf(stdout, "你的签号 %s：优先级%d，名次 %d / %d。\n", ticket, r.Tier, r.Rank, len(own))
			fmt.Fprintf(stdout, "Your ticket %s: tier %d, rank %d of %d.\n", ticket, r.Tier, r.Rank, len(own))
			return 0
		}
	}
	fmt.Fprintf(stdout, "你的签号 %s 不在这次抽签中：请核对报名编号与课程编号，或向中心询问。\n", ticket)
	fmt.Fprintf(stdout, "Your ticket %s is not in this draw: check the application and offering ids, or ask the centre.\n", ticket)
	return 1
}

type reader struct {
	stdin  io.Reader
	client *http.Client
}

// read decodes a draw document from an http(s) URL, a file, or stdin when
// src is "" or "-".
func (r reader) read(src string) (lottery.Document, error) {
	var doc lottery.Document
	var body []byte
	var err error
	name := src
	switch {
	case src == "" || src == "-":
		name = "stdin"
		if r.stdin == nil {
			return doc, errors.New("标准输入已被另一个文件占用 / stdin is taken by the other document")
		}
		body, err = io.ReadAll(io.LimitReader(r.stdin, maxDocument))
		r.stdin = nil
		if err != nil {
			return doc, fmt.Errorf("无法读取抽签文件 / cannot read the draw document: %w", err)
		}
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		body, err = r.fetch(src)
		if err != nil {
			return doc, err
		}
	default:
		body, err = os.ReadFile(src)
		if err != nil {
			return doc, fmt.Errorf("无法打开抽签文件 / cannot open the draw document: %w", err)
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return doc, fmt.Errorf("%s 不是抽签文件（JSON）/ %s is not a draw document (JSON): %w", name, name, err)
	}
	return doc, nil
}

func (r reader) fetch(url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("地址无效 / not a valid address: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("无法获取抽签文件 / cannot fetch the draw document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("获取抽签文件失败：%s 回答 %s / fetching the draw document failed: %s answered %s", url, resp.Status, url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return nil, fmt.Errorf("无法读取抽签文件 / cannot read the draw document: %w", err)
	}
	return body, nil
}

// failed lists every finding, each in Chinese and English with the member
// it concerns.
func failed(stdout io.Writer, errs []error) int {
	fmt.Fprintf(stdout, "核验不通过：%d处不符 / CHECK FAILED: %d mismatches\n", len(errs), len(errs))
	for i, err := range errs {
		if m, ok := errors.AsType[*lottery.Mismatch](err); ok {
			fmt.Fprintf(stdout, "%d. %s\n   %s\n   （字段 / member: %s）\n", i+1, m.Text.ZH, m.Text.EN, m.Field)
		} else {
			fmt.Fprintf(stdout, "%d. %v\n", i+1, err)
		}
	}
	return 1
}
