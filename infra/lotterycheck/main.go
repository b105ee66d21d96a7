// Command lotterycheck recomputes a lottery offering's draw from its public
// draw document and says whether every number and rank is right — the check
// a resident or a journalist runs without trusting enrol:
//
//	curl -s https://…/v1/offerings/<offering_id>/draw | go run ./infra/lotterycheck
//	go run ./infra/lotterycheck draw.json
//	go run ./infra/lotterycheck -offering <offering_id> -application <application_id> draw.json
//
// A drawn document that checks is consistent with itself; -earlier compares it
// with a copy saved when applications opened or closed, which is what shows
// that the commitment, the beacon round and the tickets were not rewritten
// since. A document not yet drawn is checked as far as it goes (the tickets
// against their digest once closed). With -offering and -application it also
// finds the applicant's own ticket and rank. It exits 0 when everything
// present is right, 1 when something is not (or the applicant's ticket is
// missing), 2 when it cannot read a document.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wuxi-enrol/enrol/shared/lottery"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("lotterycheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	offering := flags.String("offering", "", "the offering's id, to find your own ticket (with -application)")
	application := flags.String("application", "", "your application's id, to find your own ticket")
	earlierPath := flags.String("earlier", "", "a copy of the same draw document saved earlier (when applications opened or closed), which the document must agree with")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "用法 / usage: lotterycheck [-earlier saved.json] [-offering ID -application ID] [draw.json | -]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil || flags.NArg() > 1 || (*offering == "") != (*application == "") {
		if err == nil {
			flags.Usage()
		}
		return 2
	}
	doc, err := read(flags.Arg(0), stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *earlierPath != "" {
		earlier, err := read(*earlierPath, nil)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		if err := lottery.Unchanged(earlier, doc); err != nil {
			return failed(stdout, err)
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
			return failed(stdout, err)
		}
		fmt.Fprintf(stdout, "尚未抽签：%d个签号与其摘要一致。\nNot drawn yet: the %d tickets match their digest.\n", len(doc.Tickets), len(doc.Tickets))
		fmt.Fprintln(stdout, "请保存本文件，抽签后用 -earlier 核对。/ Save this document and check the draw against it with -earlier.")
		for _, t := range doc.Tickets {
			own = append(own, lottery.Result{Ticket: t})
		}
	} else {
		if err := lottery.Verify(doc, doc.Results); err != nil {
			return failed(stdout, err)
		}
		fmt.Fprintf(stdout, "核验通过：承诺值、签号摘要、种子以及全部%d个签号的随机号和名次都正确。\n", len(doc.Results))
		fmt.Fprintf(stdout, "Checked: the commitment, the tickets' digest, the seed, and all %d tickets' numbers and ranks are right.\n", len(doc.Results))
		// The document cannot prove where its randomness came from; the beacon can.
		fmt.Fprintf(stdout, "请到信标来源（%s）核对第%d轮的随机数是否为 %s。\n", doc.Beacon.Source, doc.Beacon.Round, doc.Beacon.Randomness)
		fmt.Fprintf(stdout, "Check at the beacon (%s) that round %d's randomness is %s.\n", doc.Beacon.Source, doc.Beacon.Round, doc.Beacon.Randomness)
		own = doc.Results
	}

	if *offering == "" {
		return 0
	}
	ticket := lottery.Ticket(*offering, *application)
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

// read decodes a draw document from path, or from stdin when path is "" or "-".
func read(path string, stdin io.Reader) (lottery.Document, error) {
	var doc lottery.Document
	in, name := stdin, "stdin"
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return doc, fmt.Errorf("无法打开抽签文件 / cannot open the draw document: %w", err)
		}
		defer f.Close()
		in, name = f, path
	}
	body, err := io.ReadAll(in)
	if err != nil {
		return doc, fmt.Errorf("无法读取抽签文件 / cannot read the draw document: %w", err)
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return doc, fmt.Errorf("%s 不是抽签文件（JSON）/ %s is not a draw document (JSON): %w", name, name, err)
	}
	return doc, nil
}

func failed(stdout io.Writer, err error) int {
	fmt.Fprintln(stdout, "核验不通过 / CHECK FAILED")
	if m, ok := errors.AsType[*lottery.Mismatch](err); ok {
		fmt.Fprintf(stdout, "%s\n%s\n（字段 / member: %s）\n", m.Text.ZH, m.Text.EN, m.Field)
	} else {
		fmt.Fprintln(stdout, err)
	}
	return 1
}
