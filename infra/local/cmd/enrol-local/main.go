// Command enrol-local is `make run`: the whole of enrol on this machine with
// demo data, until Ctrl-C, keeping its data in a folder across restarts
// (ENROL_DATA, default build/local-data; ENROL_FRESH=1 starts afresh).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/seed"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	opts, err := local.Getenv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "enrol-local:", err)
		os.Exit(2)
	}
	opts.Log, opts.FunctionLog = logger, logger
	// The metric lines beside the log lines, as in CloudWatch Logs: one per
	// request or run that counted something.
	opts.Metrics = os.Stdout
	opts.Progress = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "• "+format+"\n", args...) }
	opts.RunSchedules = true
	st, err := local.Start(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "enrol-local:", err)
		os.Exit(1)
	}
	if err := banner(st, opts.Now != nil, opts.DataDir, opts.Faults); err != nil {
		fmt.Fprintln(os.Stderr, "enrol-local:", err)
	}
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "\n正在停止 / stopping …")
	if err := st.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "enrol-local:", err)
		os.Exit(1)
	}
}

// scheduleLines are the banner's lines on the scheduled functions: when each
// next runs, and how to run it now.
func scheduleLines(st *local.Stack) string {
	var b strings.Builder
	for _, js := range st.Schedules() {
		when := "模板中已停用 / disabled in template.yaml"
		if js.Enabled {
			if next := js.Schedule.Next(st.Now()); !next.IsZero() {
				when = "下次 / next " + next.In(domain.CityZone).Format("2006-01-02 15:04 -07:00")
			} else {
				when = "不再运行 / fires no more"
			}
		}
		fmt.Fprintf(&b, "\n  # 定时函数 / scheduled function %[1]s: %[2]s, %[3]s; 立即运行 / run it now:\n  curl -s -X POST %[4]s/_local/schedule/%[1]s\n",
			js.FunctionID, js.Schedule, when, st.URL)
	}
	return b.String()
}

// faultsLine is the banner's line on faults ENROL_FAULTS switched on.
func faultsLine(st *local.Stack, spec string) string {
	inj := st.Faults()
	if inj == nil {
		return ""
	}
	return fmt.Sprintf("  故障注入已开启 / fault injection on: ENROL_FAULTS=%s: %s\n"+
		"    数据库调用会失败、变慢或被截断；请求答 503 并带 Retry-After，可安全重试 / DynamoDB calls fail, slow down or are cut; requests answer 503 with Retry-After, safe to retry\n"+
		"    注入计数 / injected so far: curl -s %s/_local/faults\n", spec, inj, st.URL)
}

// clockLine is the banner's line on a clock that ENROL_NOW set.
func clockLine(st *local.Stack, set bool) string {
	if !set {
		return ""
	}
	now := st.Now().In(domain.CityZone).Format("2006-01-02 15:04:05 -07:00")
	return fmt.Sprintf("  时钟 / clock: ENROL_NOW，现在是 / it is now %s（按实际时间走 / advancing in real time）\n", now)
}

// dataLine is the banner's line on where the data is kept.
func dataLine(st *local.Stack, dir string) string {
	switch {
	case dir == "":
		return "  数据 / data: 仅在内存中，停止即丢失 / in memory only, gone when stopped (ENROL_DATA=none)\n"
	case st.Restarted:
		return fmt.Sprintf("  数据 / data: 沿用 %s（上次的数据、令牌与密钥）/ carried on from %s (the last run's data, tokens and keys); make run FRESH=1 重新开始 / starts afresh\n", dir, dir)
	}
	return fmt.Sprintf("  数据 / data: 保存在 %s，重启后仍在 / kept in %s across restarts; make run FRESH=1 重新开始 / starts afresh\n", dir, dir)
}

func banner(st *local.Stack, clockSet bool, dataDir, faultSpec string) error {
	token, err := st.Token(seed.DemoResident, []string{"residents"})
	if err != nil {
		return err
	}
	staff, err := st.Token(seed.DemoStaff, []string{"centre-staff"}, seed.DemoStaffCentre)
	if err != nil {
		return err
	}
	officer, err := st.Token(seed.DemoOfficer, []string{"city-officers"})
	if err != nil {
		return err
	}
	district, err := st.DistrictToken(seed.DemoDistrictOfficer(seed.DemoDistrict), string(seed.DemoDistrict))
	if err != nil {
		return err
	}
	s := st.Seeded
	u := st.URL
	participant := seed.DemoParticipantIDs()[len(seed.DemoParticipantIDs())-1]
	fmt.Fprintf(os.Stderr, `
enrol 已启动 / is running: %[1]s
%[18]s%[21]s  网页 / web: %[1]s/ （居民 / residents）· %[1]s/staff （机构 / centre staff）· %[1]s/city （教育局 / city officers）
  演示数据 / demo data: %[2]d centres, %[3]d offerings, %[4]d participants, %[5]d bookings (%[6]d confirmed, %[7]d waitlisted)

  # 浏览目录（无需登录）/ browse the catalogue (no token)
  curl -s '%[1]s/v1/offerings?kind=evening_course&available=true&limit=5'
  curl -s '%[1]s/v1/offerings?kind=senior_course&limit=5'    # 锡银学堂, 55 岁及以上 / 55 and over

  # 取得令牌（本地代替 Cognito）/ get a token (the local stand-in for Cognito)
  curl -s -X POST %[1]s/_local/token -H 'Content-Type: application/json' \
       -d '{"sub":"%[8]s","groups":["residents"]}'
  TOKEN=%[9]s

  # 我的参与人 / my participants
  curl -s %[1]s/v1/me/participants -H "Authorization: Bearer $TOKEN"

  # 报名（满员时进入候补）/ book a place (join the waitlist when full)
  curl -s -X POST %[1]s/v1/offerings/%[10]s/bookings -H "Authorization: Bearer $TOKEN" \
       -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \
       -d '{"participant_id":"%[11]s","join_waitlist":true}'

  # 我的报名 / my bookings
  curl -s %[1]s/v1/me/bookings -H "Authorization: Bearer $TOKEN"

  # 我的消息与日历 / my messages and my calendar (the 消息 page on the web)
  curl -s %[1]s/v1/me/messages -H "Authorization: Bearer $TOKEN"
  curl -s %[1]s/v1/me/calendar.ics -H "Authorization: Bearer $TOKEN"

  # 本地“发出”的短信等与城市事件总线上的事件 / what the stack "sent" (SMS, e-mail, WeChat) and put on the city's bus
  curl -s %[1]s/_local/messages
  curl -s %[1]s/_local/events

  # 机构工作人员（%[13]s）/ centre staff of %[13]s: offerings, roster, Excel export
  STAFF=%[12]s
  curl -s %[1]s/v1/centres/%[13]s/offerings -H "Authorization: Bearer $STAFF"
  curl -s %[1]s/v1/offerings/%[14]s/roster -H "Authorization: Bearer $STAFF"
  curl -s -o roster.xlsx '%[1]s/v1/offerings/%[14]s/roster?format=xlsx' -H "Authorization: Bearer $STAFF"

  # 教育局（全市）/ a city officer: places now, a year of history, changes in places (in the target's year), the target, demand
  OFFICER=%[15]s
  curl -s %[1]s/v1/city/capacity -H "Authorization: Bearer $OFFICER"
  curl -s '%[1]s/v1/city/capacity/history?kind=childcare' -H "Authorization: Bearer $OFFICER"
  curl -s -o changes.csv '%[1]s/v1/city/capacity/changes?from=%[19]s&to=%[20]s&format=csv' -H "Authorization: Bearer $OFFICER"
  curl -s %[1]s/v1/city/targets -H "Authorization: Bearer $OFFICER"
  curl -s '%[1]s/v1/city/demand?limit=5' -H "Authorization: Bearer $OFFICER"
  curl -s %[1]s/v1/centres/%[13]s/audit -H "Authorization: Bearer $OFFICER"
  # 设定年度目标（每次修改都保留）/ set a year's target (every change kept), then read it with its history
  curl -s -X PUT %[1]s/v1/city/targets/%[24]d/childcare -H "Authorization: Bearer $OFFICER" \
       -H 'Content-Type: application/json' -d '{"target":2800,"title":"%[24]d 年新增普惠性托位 · New inclusive childcare places in %[24]d"}'
  curl -s '%[1]s/v1/city/targets?history=true' -H "Authorization: Bearer $OFFICER"

  # 区级工作人员（%[22]s，每区一位：officer-<区>）/ a district officer (%[22]s; one per district: officer-<district>): the same views, their district only
  DISTRICT=%[23]s
  curl -s %[1]s/v1/city/capacity -H "Authorization: Bearer $DISTRICT"
  curl -s '%[1]s/v1/city/targets?history=true' -H "Authorization: Bearer $DISTRICT"

  # 机构登记：筹建中的 %[25]s（草稿）、其员工，启用后即可发布项目 / the registry: %[25]s is joining (a draft), its staff; activate it to publish
  curl -s '%[1]s/v1/city/centres?status=draft' -H "Authorization: Bearer $OFFICER"
  curl -s %[1]s/v1/centres/%[25]s/staff -H "Authorization: Bearer $OFFICER"
  curl -s -X PATCH %[1]s/v1/centres/%[25]s -H "Authorization: Bearer $OFFICER" -H 'Content-Type: application/json' -d '{"status":"active"}'

  # 上期两次无故缺勤的居民 %[16]s / %[16]s missed two sessions last term: booking answers no_show_blocked
%[17]s
按 Ctrl-C 停止 / press Ctrl-C to stop.
`, u, s.Centres, s.Offerings, s.Participants, s.Bookings, s.Confirmed, s.Waitlisted,
		seed.DemoResident, token, seed.DemoOpenOffering, participant, staff, seed.DemoStaffCentre, seed.PastCourse, officer, s.BlockedParticipant,
		scheduleLines(st), clockLine(st, clockSet), s.Target.Baseline, fmt.Sprintf("%d-12-31", s.Target.Year), dataLine(st, dataDir)+faultsLine(st, faultSpec),
		seed.DemoDistrictOfficer(seed.DemoDistrict), district, st.Now().In(domain.CityZone).Year()+1, seed.DemoJoiningCentre)
	return nil
}
