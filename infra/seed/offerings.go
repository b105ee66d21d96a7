package seed

import (
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// state is what an offering should show once seeded.
type state int

const (
	open       state = iota // published, booking open, places free
	nearlyFull              // published, 1–2 places left
	full                    // published, full, several waiting
	notYetOpen              // published, booking opens in two days
	closed                  // closed by the centre after some bookings
	draft                   // being prepared: not in the public catalogue
)

// offeringSpec is one seeded offering. Dates are not here: they come from
// the calendar, so the demo stays current.
type offeringSpec struct {
	id, centre string
	kind       domain.Kind
	title      string // evening and senior courses only; the others' titles are built
	desc       string
	group      ageGroup     // childcare
	period     int          // care class: 0 or 1, the holiday's 期
	weekday    time.Weekday // evening and senior course
	hours      string       // evening and senior course, e.g. "19:00–21:00"
	capacity   int
	fee        int // fen
	noWaitlist bool
	state      state
	// book is how many seeded bookings to make (all join the waitlist when
	// full); cancel lists which of them, by arrival, are cancelled afterwards.
	book   int
	cancel []int
}

// ageGroup is a nursery group, ages in months on the start date.
type ageGroup struct {
	name, ages string
	min, max   int
	desc       string
}

var (
	babies   = ageGroup{"乳儿班", "6–12 月龄", 6, 12, "小月龄宝宝专班，保育员与幼儿比例 1:3，提供辅食、午睡与感官游戏，每日线上反馈喂养与睡眠情况。"}
	toddlers = ageGroup{"托小班", "1–2 岁", 12, 24, "以生活照料和回应性照护为主，开展大运动、精细动作、语言启蒙和亲子阅读活动，保育员与幼儿比例 1:5。"}
	twos     = ageGroup{"托大班", "2–3 岁", 24, 36, "注重自理能力、社会交往和入园准备，安排户外活动、音乐律动、绘本和建构游戏，保育员与幼儿比例 1:7。"}
	mixed    = ageGroup{"混龄班", "1–3 岁", 12, 36, "社区嵌入式混龄托育，大带小、小学大，家门口就近入托，可按需选择全日托。"}
)

const careClassDesc = "由街道、团委联合辖区小学开设的公益暑托/寒托，面向小学在校生。内容包括作业辅导、阅读、体育、科普实验、非遗手工和安全教育，配备专职教师与大学生志愿者，提供午餐和午休场地。"

// offerings: eight per district. Bookings are planned so that each kind
// shows every state somewhere; see state and book.
var offerings = []offeringSpec{
	// 梁溪区
	{id: "o-liangxi-cc-01", centre: "c-liangxi-01", kind: cc, group: toddlers, capacity: 10, fee: 168000, state: full, book: 14},
	{id: "o-liangxi-cc-02", centre: "c-liangxi-01", kind: cc, group: twos, capacity: 20, fee: 158000},
	{id: "o-liangxi-cc-03", centre: "c-liangxi-02", kind: cc, group: mixed, capacity: 15, fee: 135000},
	{id: "o-liangxi-cl-01", centre: "c-liangxi-03", kind: cl, period: 0, capacity: 45, fee: 0, book: 2},
	{id: "o-liangxi-cl-02", centre: "c-liangxi-03", kind: cl, period: 1, capacity: 45, fee: 0},
	{id: "o-liangxi-ec-01", centre: "c-liangxi-04", kind: ec, title: "二胡入门：走近《二泉映月》", weekday: time.Monday, hours: "19:00–21:00", capacity: 30, fee: 10000,
		desc: "从持琴、运弓、按弦讲起，学唱无锡道情和江南小调，结课时合奏《二泉映月》片段。琴由夜校提供，可带回练习。"},
	{id: "o-liangxi-ec-02", centre: "c-liangxi-04", kind: ec, title: "无锡方言与吴文化漫谈", weekday: time.Wednesday, hours: "19:00–20:30", capacity: 35, fee: 0, book: 5,
		desc: "跟着老无锡学说无锡闲话，听锡剧、评弹和惠山古镇的故事，最后一课走读清名桥历史街区。"},
	{id: "o-liangxi-ec-03", centre: "c-liangxi-04", kind: ec, title: "咖啡手冲与拉花", weekday: time.Thursday, hours: "19:00–21:00", capacity: 20, fee: 20000,
		desc: "认识咖啡豆产区与烘焙度，练习手冲和意式拉花，材料费已含在课程费中。"},

	// 锡山区
	{id: "o-xishan-cc-01", centre: "c-xishan-01", kind: cc, group: toddlers, capacity: 12, fee: 150000},
	{id: "o-xishan-cc-02", centre: "c-xishan-01", kind: cc, group: twos, capacity: 20, fee: 140000},
	{id: "o-xishan-cc-03", centre: "c-xishan-02", kind: cc, group: babies, capacity: 10, fee: 160000, noWaitlist: true, book: 3},
	{id: "o-xishan-cl-01", centre: "c-xishan-03", kind: cl, period: 0, capacity: 40, fee: 10000},
	{id: "o-xishan-cl-02", centre: "c-xishan-03", kind: cl, period: 1, capacity: 40, fee: 10000},
	{id: "o-xishan-ec-01", centre: "c-xishan-04", kind: ec, title: "短视频拍摄与剪辑", weekday: time.Tuesday, hours: "19:00–21:00", capacity: 30, fee: 5000,
		desc: "用手机拍出有质感的短片：分镜、运镜、收音与剪辑，结课作品在“锡山青年”公众号展映。请自带手机。"},
	{id: "o-xishan-ec-02", centre: "c-xishan-04", kind: ec, title: "八段锦与中医养生", weekday: time.Thursday, hours: "18:30–20:00", capacity: 40, fee: 0,
		desc: "由中医院康复科医师带练八段锦，讲解久坐人群的颈肩腰养护和四季饮食调理。"},
	{id: "o-xishan-ec-03", centre: "c-xishan-04", kind: ec, title: "民谣吉他弹唱", weekday: time.Friday, hours: "19:00–21:00", capacity: 24, fee: 15000, state: draft,
		desc: "零基础学和弦与扫弦，一学期学会 3 首弹唱曲目。课程筹备中，开放报名前以正式发布为准。"},

	// 惠山区
	{id: "o-huishan-cc-01", centre: "c-huishan-01", kind: cc, group: toddlers, capacity: 12, fee: 145000},
	{id: "o-huishan-cc-02", centre: "c-huishan-01", kind: cc, group: twos, capacity: 18, fee: 135000},
	{id: "o-huishan-cc-03", centre: "c-huishan-02", kind: cc, group: mixed, capacity: 20, fee: 128000, book: 3},
	{id: "o-huishan-cl-01", centre: "c-huishan-03", kind: cl, period: 0, capacity: 50, fee: 0},
	{id: "o-huishan-cl-02", centre: "c-huishan-03", kind: cl, period: 1, capacity: 50, fee: 0, book: 1},
	{id: "o-huishan-ec-01", centre: "c-huishan-04", kind: ec, title: "惠山泥人彩塑体验", weekday: time.Tuesday, hours: "19:00–21:00", capacity: 24, fee: 12000,
		desc: "跟随非遗传承人学习惠山泥人“手捏戏文”的捏塑与彩绘，每人完成一件阿福作品带回家。"},
	{id: "o-huishan-ec-02", centre: "c-huishan-04", kind: ec, title: "普拉提核心塑形", weekday: time.Monday, hours: "19:30–21:00", capacity: 25, fee: 8000,
		desc: "小班垫上普拉提，改善体态、增强核心力量，适合久坐的上班族。请穿运动服，自带瑜伽垫。"},
	{id: "o-huishan-ec-03", centre: "c-huishan-04", kind: ec, title: "职场 Excel 与 AI 办公", weekday: time.Wednesday, hours: "19:00–21:00", capacity: 40, fee: 0, book: 6,
		desc: "数据透视表、常用函数和图表，再用 AI 助手写周报、做 PPT。请自带笔记本电脑。"},

	// 滨湖区
	{id: "o-binhu-cc-01", centre: "c-binhu-01", kind: cc, group: toddlers, capacity: 15, fee: 165000},
	{id: "o-binhu-cc-02", centre: "c-binhu-01", kind: cc, group: twos, capacity: 12, fee: 155000, state: nearlyFull, book: 10},
	{id: "o-binhu-cc-03", centre: "c-binhu-02", kind: cc, group: mixed, capacity: 25, fee: 150000},
	{id: "o-binhu-cl-01", centre: "c-binhu-03", kind: cl, period: 0, capacity: 45, fee: 0},
	{id: "o-binhu-cl-02", centre: "c-binhu-03", kind: cl, period: 1, capacity: 45, fee: 0},
	{id: "o-binhu-ec-01", centre: "c-binhu-04", kind: ec, title: "瑜伽入门：舒展与呼吸", weekday: time.Monday, hours: "19:00–20:30", capacity: 20, fee: 5000, state: full, book: 25, cancel: []int{2},
		desc: "湖畔教室小班教学，从呼吸和基础体式练起，缓解肩颈紧张。请自带瑜伽垫和饮用水。"},
	{id: "o-binhu-ec-02", centre: "c-binhu-04", kind: ec, title: "太湖摄影：光影与构图", weekday: time.Saturday, hours: "14:00–16:30", capacity: 30, fee: 10000, book: 6,
		desc: "讲构图、曝光与后期，外拍蠡湖、渔父岛和鼋头渚的晨昏光线。相机、手机均可。"},
	{id: "o-binhu-ec-03", centre: "c-binhu-04", kind: ec, title: "国画山水入门", weekday: time.Wednesday, hours: "19:00–21:00", capacity: 25, fee: 15000,
		desc: "临摹太湖山水小品，学习笔墨、皴法和设色。笔墨纸砚由夜校提供。"},

	// 新吴区
	{id: "o-xinwu-cc-01", centre: "c-xinwu-01", kind: cc, group: toddlers, capacity: 12, fee: 150000, book: 2},
	{id: "o-xinwu-cc-02", centre: "c-xinwu-01", kind: cc, group: twos, capacity: 20, fee: 140000},
	{id: "o-xinwu-cc-03", centre: "c-xinwu-02", kind: cc, group: mixed, capacity: 20, fee: 125000},
	{id: "o-xinwu-cl-01", centre: "c-xinwu-03", kind: cl, period: 0, capacity: 50, fee: 15000},
	{id: "o-xinwu-cl-02", centre: "c-xinwu-03", kind: cl, period: 1, capacity: 50, fee: 15000},
	{id: "o-xinwu-ec-01", centre: "c-xinwu-04", kind: ec, title: "职场英语口语", weekday: time.Tuesday, hours: "19:00–21:00", capacity: 30, fee: 10000, book: 4,
		desc: "面向园区外企员工：会议、邮件、电话和面试场景练习，外籍志愿者参与对话。"},
	{id: "o-xinwu-ec-02", centre: "c-xinwu-04", kind: ec, title: "烘焙：面包与法式甜点", weekday: time.Thursday, hours: "19:00–21:30", capacity: 20, fee: 25000,
		desc: "从欧包、吐司到玛德琳和泡芙，每节课带走自己的作品。材料费已含在课程费中。"},
	{id: "o-xinwu-ec-03", centre: "c-xinwu-04", kind: ec, title: "街舞 Hip-hop 基础", weekday: time.Friday, hours: "19:30–21:00", capacity: 30, fee: 5000,
		desc: "律动、基本步伐和一支完整的结课编舞，零基础友好。"},

	// 经开区
	{id: "o-jingkai-cc-01", centre: "c-jingkai-01", kind: cc, group: toddlers, capacity: 15, fee: 160000},
	{id: "o-jingkai-cc-02", centre: "c-jingkai-01", kind: cc, group: twos, capacity: 20, fee: 150000},
	{id: "o-jingkai-cc-03", centre: "c-jingkai-02", kind: cc, group: mixed, capacity: 24, fee: 145000},
	{id: "o-jingkai-cl-01", centre: "c-jingkai-03", kind: cl, period: 0, capacity: 40, fee: 0},
	{id: "o-jingkai-cl-02", centre: "c-jingkai-03", kind: cl, period: 1, capacity: 40, fee: 0, noWaitlist: true},
	{id: "o-jingkai-ec-01", centre: "c-jingkai-04", kind: ec, title: "个人理财与反诈常识", weekday: time.Wednesday, hours: "19:00–20:30", capacity: 40, fee: 0,
		desc: "社保公积金、个税专项扣除、基金定投入门，以及常见电信诈骗手法识别，由银行与公安志愿者授课。"},
	{id: "o-jingkai-ec-02", centre: "c-jingkai-04", kind: ec, title: "无锡精微绣", weekday: time.Thursday, hours: "19:00–21:00", capacity: 24, fee: 15000,
		desc: "国家级非遗无锡精微绣体验课：劈丝、平针与乱针，完成一幅团扇小品。"},
	{id: "o-jingkai-ec-03", centre: "c-jingkai-04", kind: ec, title: "声乐与合唱", weekday: time.Monday, hours: "19:00–21:00", capacity: 40, fee: 0, state: notYetOpen,
		desc: "科学发声与多声部合唱，结课登台市民中心汇报演出。报名开放时间见下方，名额有限。"},

	// 江阴市
	{id: "o-jiangyin-cc-01", centre: "c-jiangyin-01", kind: cc, group: toddlers, capacity: 15, fee: 140000},
	{id: "o-jiangyin-cc-02", centre: "c-jiangyin-01", kind: cc, group: twos, capacity: 20, fee: 130000},
	{id: "o-jiangyin-cc-03", centre: "c-jiangyin-02", kind: cc, group: mixed, capacity: 20, fee: 120000},
	{id: "o-jiangyin-cl-01", centre: "c-jiangyin-03", kind: cl, period: 0, capacity: 40, fee: 0, state: nearlyFull, book: 38},
	{id: "o-jiangyin-cl-02", centre: "c-jiangyin-03", kind: cl, period: 1, capacity: 40, fee: 0},
	{id: "o-jiangyin-ec-01", centre: "c-jiangyin-04", kind: ec, title: "书法：楷书入门", weekday: time.Tuesday, hours: "19:00–21:00", capacity: 30, fee: 5000,
		desc: "从欧体楷书基本笔画练起，兼讲碑帖欣赏，结课作品参加城东街道青年书法展。"},
	{id: "o-jiangyin-ec-02", centre: "c-jiangyin-04", kind: ec, title: "跟着徐霞客去徒步", weekday: time.Saturday, hours: "8:30–11:30", capacity: 30, fee: 0, book: 3,
		desc: "户外安全、地图与装备知识，周末徒步定山、花山和敔山湾步道，沿途讲徐霞客游记。"},
	{id: "o-jiangyin-ec-03", centre: "c-jiangyin-04", kind: ec, title: "插花与花艺设计", weekday: time.Thursday, hours: "19:00–21:00", capacity: 20, fee: 20000,
		desc: "东方插花与西式花束，每节课使用当季鲜花，作品可带回。"},

	// 宜兴市
	{id: "o-yixing-cc-01", centre: "c-yixing-01", kind: cc, group: toddlers, capacity: 12, fee: 135000},
	{id: "o-yixing-cc-02", centre: "c-yixing-01", kind: cc, group: twos, capacity: 18, fee: 125000},
	{id: "o-yixing-cc-03", centre: "c-yixing-02", kind: cc, group: mixed, capacity: 20, fee: 120000},
	{id: "o-yixing-cl-01", centre: "c-yixing-03", kind: cl, period: 0, capacity: 45, fee: 20000, book: 1},
	{id: "o-yixing-cl-02", centre: "c-yixing-03", kind: cl, period: 1, capacity: 45, fee: 20000},
	{id: "o-yixing-ec-01", centre: "c-yixing-04", kind: ec, title: "紫砂壶制作入门", weekday: time.Saturday, hours: "14:00–17:00", capacity: 24, fee: 30000, state: nearlyFull, book: 23,
		desc: "在紫砂之乡丁蜀跟工艺师学打身筒、镶接和装饰，每人完成一把小品壶，由夜校统一烧制。费用含泥料与烧制费。"},
	{id: "o-yixing-ec-02", centre: "c-yixing-04", kind: ec, title: "宜兴红茶与茶艺", weekday: time.Wednesday, hours: "19:00–20:30", capacity: 30, fee: 8000,
		desc: "认识阳羡茶史与宜兴红茶的制作，学习紫砂壶冲泡和茶席布置。"},
	{id: "o-yixing-ec-03", centre: "c-yixing-04", kind: ec, title: "古筝入门", weekday: time.Monday, hours: "19:00–21:00", capacity: 25, fee: 15000, state: closed, noWaitlist: true, book: 8,
		desc: "指法、识谱和两首江南小曲。因授课老师调整，本期已停止报名，已报名学员照常上课。"},

	// 锡银学堂: weekly daytime courses for residents aged 55 and over, in
	// four districts (the lottery course is in lottery.go).
	{id: "o-liangxi-sc-01", centre: "c-liangxi-05", kind: sc, title: "书法：颜体楷书", weekday: time.Tuesday, hours: "9:00–11:00", capacity: 20, fee: 0, state: nearlyFull, book: 19,
		desc: "从颜真卿《多宝塔碑》的基本笔画练起，兼讲碑帖欣赏与章法，笔墨纸由学堂提供。结课作品在老年大学走廊展出。"},
	{id: "o-liangxi-sc-02", centre: "c-liangxi-05", kind: sc, title: "智能手机使用：扫码、挂号与防诈骗", weekday: time.Wednesday, hours: "14:00–15:30", capacity: 30, fee: 0, book: 4,
		desc: "一人一机、志愿者一对一辅导：微信视频、健康码与扫码支付、网上挂号和打车，以及识别冒充客服、保健品骗局的方法。请带上自己的手机。"},
	{id: "o-liangxi-sc-03", centre: "c-liangxi-05", kind: sc, title: "养生保健：慢病管理与合理用药", weekday: time.Thursday, hours: "9:30–11:00", capacity: 40, fee: 0,
		desc: "由社区卫生服务中心医生主讲高血压、糖尿病的日常管理、合理用药和跌倒预防，每次课后可免费量血压。"},
	{id: "o-binhu-sc-01", centre: "c-binhu-05", kind: sc, title: "太极拳：二十四式", weekday: time.Monday, hours: "8:30–10:00", capacity: 40, fee: 0, book: 3,
		desc: "在蠡园湖边广场学练二十四式简化太极拳，动作舒缓，适合初学者。雨天改在室内活动室。请穿平底鞋。"},
	{id: "o-binhu-sc-02", centre: "c-binhu-05", kind: sc, title: "国画花鸟入门", weekday: time.Thursday, hours: "14:00–16:00", capacity: 24, fee: 10000,
		desc: "学画梅兰竹菊和太湖边常见的花鸟，讲用笔、用墨和设色。费用含宣纸和颜料，毛笔可向学堂借用。"},
	{id: "o-binhu-sc-03", centre: "c-binhu-05", kind: sc, title: "老年摄影：手机拍出好照片", weekday: time.Friday, hours: "9:00–11:00", capacity: 30, fee: 5000,
		desc: "用手机拍人像、花卉和风景，学构图与简单修图，外拍蠡园和渤公岛。"},
	{id: "o-jiangyin-sc-01", centre: "c-jiangyin-05", kind: sc, title: "合唱：老歌新唱", weekday: time.Tuesday, hours: "14:00–16:00", capacity: 40, fee: 0, book: 2,
		desc: "练习发声与二声部合唱，曲目有《茉莉花》《太湖美》等，结课参加江阴市老年大学汇报演出。"},
	{id: "o-jiangyin-sc-02", centre: "c-jiangyin-05", kind: sc, title: "剪纸与江南民俗", weekday: time.Wednesday, hours: "9:00–11:00", capacity: 24, fee: 3000,
		desc: "学剪窗花、团花和生肖，听江阴的岁时节令故事。费用含红纸和剪刀。"},
	{id: "o-jiangyin-sc-03", centre: "c-jiangyin-05", kind: sc, title: "八段锦与健步走", weekday: time.Friday, hours: "8:00–9:30", capacity: 40, fee: 0, state: notYetOpen,
		desc: "由康复科医师带练八段锦，讲解关节保护和健步走的正确姿势。报名开放时间见下方。"},
	{id: "o-yixing-sc-01", centre: "c-yixing-05", kind: sc, title: "紫砂壶鉴赏", weekday: time.Monday, hours: "14:00–16:00", capacity: 30, fee: 5000,
		desc: "认识紫砂泥料、壶型与制作工艺，走进丁蜀的作坊和陶瓷博物馆，学会辨识常见的仿品。"},
	{id: "o-yixing-sc-02", centre: "c-yixing-05", kind: sc, title: "宜兴方言戏曲：锡剧选段", weekday: time.Wednesday, hours: "14:00–16:00", capacity: 30, fee: 0, book: 3,
		desc: "跟锡剧团老师学唱《珍珠塔》《双推磨》选段，了解锡剧的唱腔与身段。"},
	{id: "o-yixing-sc-03", centre: "c-yixing-05", kind: sc, title: "养生茶饮与食疗", weekday: time.Thursday, hours: "9:30–11:00", capacity: 24, fee: 8000, state: draft,
		desc: "四季茶饮和家常食疗方，由中医师讲解，每次课可品尝当季茶饮。课程筹备中，以正式发布为准。"},
}

// offering builds the stored offering of spec s on the calendar.
func (s offeringSpec) offering(c domain.Centre, cal calendar) domain.Offering {
	o := domain.Offering{
		ID: s.id, Kind: s.kind, Centre: c.Ref(), Description: s.desc,
		Capacity: s.capacity, Status: domain.OfferingPublished, FeeFen: s.fee,
		BookingOpensAt: cal.opened, WaitlistEnabled: !s.noWaitlist,
	}
	switch s.kind {
	case domain.Childcare:
		start := cal.childcareStart
		o.Title = fmt.Sprintf("%s（%s）· %d年%d月入托", s.group.name, s.group.ages, start.Year(), int(start.Month()))
		o.Description = s.group.desc + fmt.Sprintf("保育费每月 %s（含午餐和两次点心），普惠性托位享受政府运营补贴。", yuan(s.fee))
		o.Term, o.StartsOn, o.EndsOn = termOf(start), day(start), day(start.AddDate(1, 0, -1))
		// A nursery place runs every weekday: no list of sessions.
		o.Schedule = domain.Schedule{Text: "周一至周五 7:30–17:30（法定节假日除外）"}
		o.BookingClosesAt = at(start.AddDate(0, 0, -7), 17)
		o.MinAgeMonths, o.MaxAgeMonths = s.group.min, s.group.max
		o.MaxPerParticipantPerTerm = 1
	case domain.CareClass:
		h := cal.holiday
		p := h.periods[s.period]
		o.Title = fmt.Sprintf("七彩公益安心托班 · %s第%s期", h.name, []string{"一", "二"}[s.period])
		fee := "免费"
		if s.fee > 0 {
			fee = "每期 " + yuan(s.fee) + "（含午餐及材料费）"
		}
		o.Description = careClassDesc + "费用：" + fee + "。"
		o.Term, o.StartsOn, o.EndsOn = h.term, day(p.start), day(p.end)
		o.Schedule = domain.Schedule{Text: fmt.Sprintf("周一至周五 8:00–17:00，共 %d 天", len(p.sessions)), Sessions: p.sessions}
		o.BookingClosesAt = at(p.start.AddDate(0, 0, -3), 17)
		o.MinAgeMonths, o.MaxAgeMonths = 6*12, 12*12+11
		o.MaxPerParticipantPerTerm = 1
	case domain.EveningCourse, domain.SeniorCourse:
		// Weekly classes in the spring and autumn terms: evening courses
		// for 18–45, 锡银学堂's daytime ones for 55 and over (with their
		// no-show rule spelt out) on the first day.
		first := cal.eveningStart.AddDate(0, 0, (int(s.weekday)+6)%7) // Monday-based offset
		var sessions []string
		for i := range eveningSessions {
			sessions = append(sessions, day(first.AddDate(0, 0, 7*i)))
		}
		o.Title = "锡青夜校 · " + s.title
		o.MinAgeMonths, o.MaxAgeMonths = 18*12, 45*12+11
		if s.kind == domain.SeniorCourse {
			o.Title = "锡银学堂 · " + s.title
			o.MinAgeMonths, o.MaxAgeMonths = 55*12, 100*12
			rule := domain.NoShowRules[domain.SeniorCourse]
			o.NoShowRule = &rule
		}
		o.Term, o.StartsOn, o.EndsOn = cal.eveningTerm, sessions[0], sessions[len(sessions)-1]
		o.Schedule = domain.Schedule{Text: fmt.Sprintf("每%s %s，共 %d 次", weekdayNames[s.weekday], s.hours, eveningSessions), Sessions: sessions}
		o.BookingClosesAt = at(first.AddDate(0, 0, -1), 18)
		o.MaxPerParticipantPerTerm = 2
	}
	switch s.state {
	case notYetOpen:
		o.BookingOpensAt = cal.soon
	case draft:
		o.Status = domain.OfferingDraft
	}
	// A closed offering is published first and closed once its bookings are
	// in: bookings go only through the booking service, which refuses a
	// closed offering.
	return o
}

// eveningSessions is the number of weekly classes in an evening term.
const eveningSessions = 8

var weekdayNames = map[time.Weekday]string{
	time.Monday: "周一", time.Tuesday: "周二", time.Wednesday: "周三", time.Thursday: "周四",
	time.Friday: "周五", time.Saturday: "周六", time.Sunday: "周日",
}

func yuan(fen int) string {
	if fen%100 == 0 {
		return fmt.Sprintf("%d 元", fen/100)
	}
	return fmt.Sprintf("%d.%02d 元", fen/100, fen%100)
}
