package seed

import "github.com/wuxi-enrol/enrol/shared/domain"

// Short names for the kinds in the tables below.
const (
	cc = domain.Childcare
	cl = domain.CareClass
	ec = domain.EveningCourse
	sc = domain.SeniorCourse
)

// centres are four per district: nurseries (普惠托育), holiday care class
// sites (七彩安心托班) and youth evening schools (锡青夜校); and 锡银学堂
// sites for older residents in four of them (a fifth centre there). Streets are real
// ones of each district; house numbers and phone numbers are made up.
var centres = []domain.Centre{
	// 梁溪区
	{ID: "c-liangxi-01", Name: "梁溪区崇安寺街道普惠托育中心", District: "liangxi", Address: "无锡市梁溪区学前街 36 号", Phone: "0510-82701136", Kinds: []domain.Kind{cc}},
	{ID: "c-liangxi-02", Name: "梁溪区广益街道社区托育园", District: "liangxi", Address: "无锡市梁溪区广石路 86 号广益佳苑社区服务中心 1 楼", Phone: "0510-82318822", Kinds: []domain.Kind{cc}},
	{ID: "c-liangxi-03", Name: "梁溪区清名桥街道七彩安心托班", District: "liangxi", Address: "无锡市梁溪区南长街 312 号清名桥街道文体中心", Phone: "0510-85102271", Kinds: []domain.Kind{cl}},
	{ID: "c-liangxi-04", Name: "梁溪区江海街道青年夜校", District: "liangxi", Address: "无锡市梁溪区江海西路 198 号青年之家 3 楼", Phone: "0510-83186420", Kinds: []domain.Kind{ec}},
	{ID: "c-liangxi-05", Name: "梁溪区老年大学锡银学堂", District: "liangxi", Address: "无锡市梁溪区健康路 18 号梁溪区老年大学", Phone: "0510-82728855", Kinds: []domain.Kind{sc}},

	// 锡山区
	{ID: "c-xishan-01", Name: "锡山区东亭街道普惠托育中心", District: "xishan", Address: "无锡市锡山区东亭中路 58 号", Phone: "0510-88206613", Kinds: []domain.Kind{cc}},
	{ID: "c-xishan-02", Name: "锡山区安镇街道社区托育园", District: "xishan", Address: "无锡市锡山区安镇街道锡沪中路 127 号", Phone: "0510-88751036", Kinds: []domain.Kind{cc}},
	{ID: "c-xishan-03", Name: "锡山区东北塘街道七彩安心托班", District: "xishan", Address: "无锡市锡山区东北塘街道锡港路 211 号", Phone: "0510-83782245", Kinds: []domain.Kind{cl}},
	{ID: "c-xishan-04", Name: "锡山区东亭街道青年夜校", District: "xishan", Address: "无锡市锡山区团结中路 3 号锡山区青少年活动中心", Phone: "0510-88217750", Kinds: []domain.Kind{ec}},

	// 惠山区
	{ID: "c-huishan-01", Name: "惠山区堰桥街道普惠托育中心", District: "huishan", Address: "无锡市惠山区堰新路 311 号", Phone: "0510-83590162", Kinds: []domain.Kind{cc}},
	{ID: "c-huishan-02", Name: "惠山区长安街道社区托育园", District: "huishan", Address: "无锡市惠山区长安街道惠山大道 1699 号", Phone: "0510-83216638", Kinds: []domain.Kind{cc}},
	{ID: "c-huishan-03", Name: "惠山区钱桥街道七彩安心托班", District: "huishan", Address: "无锡市惠山区钱桥街道盛岸西路 488 号", Phone: "0510-83108817", Kinds: []domain.Kind{cl}},
	{ID: "c-huishan-04", Name: "惠山区惠山新城青年夜校", District: "huishan", Address: "无锡市惠山区政和大道 185 号惠山区青年发展中心", Phone: "0510-83596021", Kinds: []domain.Kind{ec}},

	// 滨湖区
	{ID: "c-binhu-01", Name: "滨湖区河埒街道普惠托育中心", District: "binhu", Address: "无锡市滨湖区梁清路 88 号", Phone: "0510-85812306", Kinds: []domain.Kind{cc}},
	{ID: "c-binhu-02", Name: "滨湖区蠡园街道社区托育园", District: "binhu", Address: "无锡市滨湖区青祁路 156 号", Phone: "0510-85121179", Kinds: []domain.Kind{cc}},
	{ID: "c-binhu-03", Name: "滨湖区荣巷街道七彩安心托班", District: "binhu", Address: "无锡市滨湖区荣巷街道梁溪路 35 号", Phone: "0510-85517430", Kinds: []domain.Kind{cl}},
	{ID: "c-binhu-04", Name: "滨湖区蠡湖街道青年夜校", District: "binhu", Address: "无锡市滨湖区湖滨路 1 号蠡湖青年汇", Phone: "0510-85867702", Kinds: []domain.Kind{ec}},
	{ID: "c-binhu-05", Name: "滨湖区蠡园街道锡银学堂", District: "binhu", Address: "无锡市滨湖区青祁路 201 号蠡园街道颐养中心 2 楼", Phone: "0510-85130628", Kinds: []domain.Kind{sc}},

	// 新吴区
	{ID: "c-xinwu-01", Name: "新吴区江溪街道普惠托育中心", District: "xinwu", Address: "无锡市新吴区锡兴路 45 号", Phone: "0510-85221806", Kinds: []domain.Kind{cc}},
	{ID: "c-xinwu-02", Name: "新吴区梅村街道社区托育园", District: "xinwu", Address: "无锡市新吴区梅村街道泰伯大道 16 号", Phone: "0510-88151263", Kinds: []domain.Kind{cc}},
	{ID: "c-xinwu-03", Name: "新吴区硕放街道七彩安心托班", District: "xinwu", Address: "无锡市新吴区硕放街道南开路 60 号", Phone: "0510-85311458", Kinds: []domain.Kind{cl}},
	{ID: "c-xinwu-04", Name: "新吴区旺庄街道青年夜校", District: "xinwu", Address: "无锡市新吴区长江北路 288 号旺庄街道党群服务中心 2 楼", Phone: "0510-85203317", Kinds: []domain.Kind{ec}},

	// 经开区
	{ID: "c-jingkai-01", Name: "经开区华庄街道普惠托育中心", District: "jingkai", Address: "无锡市经开区华庄街道震泽路 28 号", Phone: "0510-85600137", Kinds: []domain.Kind{cc}},
	{ID: "c-jingkai-02", Name: "经开区太湖街道社区托育园", District: "jingkai", Address: "无锡市经开区太湖街道观山路 199 号", Phone: "0510-85368819", Kinds: []domain.Kind{cc}},
	{ID: "c-jingkai-03", Name: "经开区雪浪街道七彩安心托班", District: "jingkai", Address: "无锡市经开区雪浪街道南湖大道 1288 号", Phone: "0510-85950246", Kinds: []domain.Kind{cl}},
	{ID: "c-jingkai-04", Name: "经开区太湖新城青年夜校", District: "jingkai", Address: "无锡市经开区金融八街 1 号市民中心青年空间", Phone: "0510-81823366", Kinds: []domain.Kind{ec}},

	// 江阴市
	{ID: "c-jiangyin-01", Name: "江阴市澄江街道普惠托育中心", District: "jiangyin", Address: "江阴市澄江街道人民中路 206 号", Phone: "0510-86861425", Kinds: []domain.Kind{cc}},
	{ID: "c-jiangyin-02", Name: "江阴市云亭街道社区托育园", District: "jiangyin", Address: "江阴市云亭街道定山路 18 号", Phone: "0510-86151732", Kinds: []domain.Kind{cc}},
	{ID: "c-jiangyin-03", Name: "江阴市澄江街道七彩安心托班", District: "jiangyin", Address: "江阴市澄江街道虹桥北路 95 号", Phone: "0510-86802258", Kinds: []domain.Kind{cl}},
	{ID: "c-jiangyin-04", Name: "江阴市城东街道青年夜校", District: "jiangyin", Address: "江阴市城东街道芙蓉大道 318 号", Phone: "0510-86018640", Kinds: []domain.Kind{ec}},
	{ID: "c-jiangyin-05", Name: "江阴市老年大学锡银学堂", District: "jiangyin", Address: "江阴市澄江街道君山路 9 号江阴市老年大学", Phone: "0510-86423317", Kinds: []domain.Kind{sc}},

	// 宜兴市
	{ID: "c-yixing-01", Name: "宜兴市宜城街道普惠托育中心", District: "yixing", Address: "宜兴市宜城街道人民北路 112 号", Phone: "0510-87921586", Kinds: []domain.Kind{cc}},
	{ID: "c-yixing-02", Name: "宜兴市新街街道社区托育园", District: "yixing", Address: "宜兴市新街街道氿滨大道 520 号", Phone: "0510-87066213", Kinds: []domain.Kind{cc}},
	{ID: "c-yixing-03", Name: "宜兴市屺亭街道七彩安心托班", District: "yixing", Address: "宜兴市屺亭街道宜北路 77 号", Phone: "0510-87812094", Kinds: []domain.Kind{cl}},
	{ID: "c-yixing-04", Name: "宜兴市丁蜀镇青年夜校", District: "yixing", Address: "宜兴市丁蜀镇陶都路 150 号", Phone: "0510-87190538", Kinds: []domain.Kind{ec}},
	{ID: "c-yixing-05", Name: "宜兴市宜城街道锡银学堂", District: "yixing", Address: "宜兴市宜城街道东庙巷 22 号宜城街道老年活动中心", Phone: "0510-87985126", Kinds: []domain.Kind{sc}},
}
