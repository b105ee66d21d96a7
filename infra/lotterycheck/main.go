// Command lotterycheck recomputes a lottery offering's draw from its public
// draw document and says whether every number and rank is right — the check
// a resident or a journalist runs without trusting enrol:
//
//	curl -s https://…/v1/offerings/<offering_id>/draw | go run ./infra/lotterycheck
//	go run ./infra/lotterycheck draw.json
//	go run ./infra/lotterycheck -offering <offering_id> -application <application_id> draw.json
//
// With -offering and -application it also finds the applicant's own ticket
// and rank. It exits 0 when everything is right, 1 when something is not (or
// the applicant's ticket is missing), 2 when it cannot read the document.
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
	flags.Usage = func() {
		fmt.Fprintln(stderr, "用法 / usage: lotterycheck [-offering ID -application ID] [draw.json | -]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil || flags.NArg() > 1 || (*offering == "") != (*application == "") {
		if err == nil {
			flags.Usage()
		}
		return 2
	}

	in, name := stdin, "stdin"
	if path := flags.Arg(0); path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "无法打开抽签文件 / cannot open the draw document: %v\n", err)
			return 2
		}
		defer f.Close()
		in, name = f, path
	}
	body, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintf(stderr, "无法读取抽签文件 / cannot read the draw document: %v\n", err)
		return 2
	}
	var doc lottery.Document
	if err := json.Unmarshal(body, &doc); err != nil {
		fmt.Fprintf(stderr, "%s 不是抽签文件（JSON）/ %s is not a draw document (JSON): %v\n", name, name, err)
		return 2
	}

	if err := lottery.Verify(doc, doc.Results); err != nil {
		fmt.Fprintln(stdout, "核验不通过 / CHECK FAILED")
		if m, ok := errors.AsType[*lottery.Mismatch](err); ok {
			fmt.Fprintf(stdout, "%s\n%s\n（字段 / member: %s）\n", m.Text.ZH, m.Text.EN, m.Field)
		} else {
			fmt.Fprintln(stdout, err)
		}
		return 1
	}
	fmt.Fprintf(stdout, "核验通过：承诺值、签号摘要、种子以及全部%d个签号的随机号和名次都正确。\n", len(doc.Results))
	fmt.Fprintf(stdout, "Checked: the commitment, the tickets' digest, the seed, and all %d tickets' numbers and ranks are right.\n", len(doc.Results))
	// The document cannot prove where its randomness came from; the beacon can.
	fmt.Fprintf(stdout, "请到信标来源（%s）核对第%d轮的随机数是否为 %s。\n", doc.Beacon.Source, doc.Beacon.Round, doc.Beacon.Randomness)
	fmt.Fprintf(stdout, "Check at the beacon (%s) that round %d's randomness is %s.\n", doc.Beacon.Source, doc.Beacon.Round, doc.Beacon.Randomness)

	if *offering == "" {
		return 0
	}
	ticket := lottery.Ticket(*offering, *application)
	for _, r := range doc.Results {
		if r.Ticket == ticket {
			fmt.Fprintf(stdout, "你的签号 %s：优先级%d，名次 %d / %d。\n", ticket, r.Tier, r.Rank, len(doc.Results))
			fmt.Fprintf(stdout, "Your ticket %s: tier %d, rank %d of %d.\n", ticket, r.Tier, r.Rank, len(doc.Results))
			return 0
		}
	}
	fmt.Fprintf(stdout, "你的签号 %s 不在这次抽签中：请核对报名编号与课程编号，或向中心询问。\n", ticket)
	fmt.Fprintf(stdout, "Your ticket %s is not in this draw: check the application and offering ids, or ask the centre.\n", ticket)
	return 1
}
