package city

import (
	"net/http"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/download"
)

// figureHeader heads the figure columns of every CSV, Chinese first.
var figureHeader = []string{"名额 (Places)", "已确认 (Confirmed)", "候补 (Waitlisted)", "余位 (Available)", "使用率 (Utilization)", "机构数 (Centres)", "项目数 (Offerings)"}

func figureCells(f cityfigures.Figures) []any {
	return []any{f.Capacity, f.Confirmed, f.Waitlisted, f.Available(), f.Utilization(), f.Centres, f.Offerings}
}

// scopeRow is a slice's district and kind, named as people read them, then
// its figures.
func scopeRow(s cityfigures.Scope, f cityfigures.Figures) []any {
	return append([]any{districtText(s.District), kindText(s.Kind)}, figureCells(f)...)
}

func districtText(d domain.District) string {
	if d == "" {
		return "全市 (all)"
	}
	return domain.DistrictNames[d] + " (" + string(d) + ")"
}

func kindText(k domain.Kind) string {
	if k == "" {
		return "全部 (all)"
	}
	return domain.KindNames[k] + " (" + string(k) + ")"
}

var reasonNames = map[cityfigures.Reason]string{
	cityfigures.Published: "新开放", cityfigures.CapacityRaised: "扩容", cityfigures.CapacityCut: "缩减",
	cityfigures.Cancelled: "取消", cityfigures.Ended: "结束", cityfigures.Withdrawn: "撤回",
	cityfigures.CentreSuspended: "机构暂停", cityfigures.CentreReinstated: "机构恢复",
}

func reasonText(r cityfigures.Reason) string { return reasonNames[r] + " (" + string(r) + ")" }

// csvFile answers a CSV download named, e.g., 全市名额-20261128.csv.
func csvFile(w http.ResponseWriter, name, ascii, date string, header []string, rows [][]any) error {
	suffix := "-" + download.Safe(strings.ReplaceAll(date, "-", "")) + ".csv"
	return download.ServeCSV(w, name+suffix, ascii+suffix, header, rows)
}
