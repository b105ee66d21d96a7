// Chinese by default, English on request; the choice is kept in localStorage.
import { signal } from './signal.js';

const zh = {
  appName: '无锡托育与夜校报名', skip: '跳到主要内容', langSwitch: 'English', langSwitchLabel: 'Switch to English',
  navBrowse: '找名额', navBookings: '我的报名', navParticipants: '报名人', navStaff: '机构管理', navCity: '全市看板',
  signIn: '登录', signOut: '退出登录', signedInAs: '已登录：', loading: '加载中…', retry: '重试', close: '关闭',
  kind_childcare: '普惠性托位', kind_care_class: '七彩公益安心托班', kind_evening_course: '锡青夜校',
  kindHint_childcare: '0–3 岁', kindHint_care_class: '6–12 岁小学生', kindHint_evening_course: '18–45 岁青年',
  d_liangxi: '梁溪区', d_xishan: '锡山区', d_huishan: '惠山区', d_binhu: '滨湖区', d_xinwu: '新吴区', d_jingkai: '经开区', d_jiangyin: '江阴市', d_yixing: '宜兴市',
  browseTitle: '找托位、托班和夜校', browseIntro: '浏览已发布的项目，无需登录；报名时再登录。',
  filters: '筛选', fKind: '类型', fDistrict: '区域', fAge: '年龄（月）', fAgeHint: '例如 24 表示 2 岁', fAvailable: '只看有余位', all: '全部', search: '查询',
  results: (n) => `共显示 ${n} 个项目`, noResults: '没有符合条件的项目。', loadMore: '加载更多',
  dates: '日期', fee: '费用', free: '免费', yuan: (y) => `¥${y}`, placesLeft: '余位', waitlist: '候补', people: (n) => `${n} 人`, capacity: '名额', confirmedN: '已确认',
  details: '查看详情', back: '返回列表', centre: '机构', schedule: '时间安排', ages: '适龄', ageRange: (a, b) => `${fmtAge(a, 'zh')}–${fmtAge(b, 'zh')}`,
  bookingWindow: '报名时间', term: '学期', status: '状态', perTerm: '每人每学期限报', unlimited: '不限',
  st_draft: '草稿', st_published: '报名中', st_closed: '已截止', st_cancelled: '已取消',
  bookingState: '报名状态', bw_soon: (at) => `${at} 开始报名`, bw_ended: '报名已截止', bookOpensAt: (at) => `报名将于 ${at} 开始，届时即可报名。`, bookEnded: '报名已截止，不能再报名。',
  sessionExpired: '登录已过期，请重新登录。', signInAgain: '重新登录',
  mfaSetupTitle: '机构和教育局账号须先绑定身份验证器应用（TOTP）。',
  mfaSetupBody: '绑定前，机构管理和全市看板功能不可用。请按管理员提供的步骤在账号设置中绑定身份验证器应用（如 Microsoft Authenticator、Google 身份验证器），之后每次登录都需输入其中的 6 位验证码；绑定后请退出并重新登录。',
  book: '报名', bookTitle: '报名', joinWaitlist: '加入候补', bookFor: '报名人', full: '已满员，可加入候补',
  signInToBook: '登录后报名', noParticipants: '还没有报名人，请先添加。', addParticipant: '添加报名人', notEligibleHint: '（年龄不符）',
  booked: '报名成功，名额已确认。', waitlisted: (n) => `已加入候补，排第 ${n} 位。`, viewBookings: '查看我的报名',
  myBookings: '我的报名', noBookings: '还没有报名。', bst_confirmed: '已确认', bst_waitlisted: '候补中', bst_cancelled: '已取消', position: (n) => `候补第 ${n} 位`,
  cancel: '取消报名', cancelConfirm: '确定取消这个报名吗？', cancelled: '报名已取消。', startsOn: '开始', cancelledByCentre: '机构已取消：',
  showCancelled: '显示已取消的报名', participants: '报名人', name: '姓名', birthDate: '出生日期', idNumber: '身份证号（18 位）',
  idHint: '仅用于核验身份和报名限制，只保存末四位。', save: '保存', added: '已添加报名人。', idLast4: '身份证后四位',
  signInTitle: '登录', signInIntro: '本地演示环境：选择一个演示账号。', demoResident: '居民（演示）', demoStaff: '机构工作人员（梁溪 · c-liangxi-04）', demoOfficer: '市教育局（全市看板）',
  signInCognito: '使用统一身份认证登录',
  staffTitle: '机构项目管理', staffCentre: '机构', newOffering: '新建项目', create: '创建', created: '项目已创建。',
  title: '标题', description: '简介', startsOnL: '开课日期', endsOnL: '结束日期', capacityL: '名额', scheduleText: '时间安排说明', sessions: '上课日期（每行一个，YYYY-MM-DD）',
  feeYuan: '费用（元）', opensAt: '报名开始', closesAt: '报名截止', statusL: '状态', publishNow: '立即发布', draft: '草稿',
  edit: '修改项目', saved: '已保存。', roster: '花名册', downloadCsv: '下载 CSV', downloadXlsx: '下载 Excel', downloaded: (n) => `已下载 ${n}`,
  attendance: '出勤', sessionDay: '上课日', att_present: '出勤', att_absent: '缺勤', att_excused: '请假', saveAttendance: '保存出勤', attendanceSaved: (d) => `${d} 的出勤已保存。`,
  noBookingsForDay: '没有已确认的报名。', noSessions: '该项目没有上课日期。', manage: '管理', no: '序号', ageL: '开课时年龄', bookedAt: '报名时间', totals: '出勤/缺勤/请假',
  cityTitle: '全市托育与夜校看板', asOf: (d) => `数据截至 ${d}`, cityKind: '类型', capByDistrict: '各区名额与使用率', utilization: '使用率', available: '余位',
  growth: '名额增长', growthChildcare: '普惠性托位名额（近一年）', growthAll: '全部名额（近一年）', target: '目标', achieved: '已完成', remaining: '尚差', progress: '进度',
  targetTitle: '目标进度', demand: '需求：各区候补人数', oversub: '最紧俏的项目', oversubscription: '超额倍数', hoursToFull: '满员用时（小时）', fullOfferings: '满员项目',
  medianHours: '满员中位小时数', date: '日期', district: '区', kind: '类型', offerings: '项目数', centres: '机构数', csv: '下载 CSV', tableOf: (t) => `${t}（数据表）`,
  chartAlt: '图表的数据见下表。', total: '全市',
  e_offering_full: '名额已满。可以加入候补。', e_booking_closed: '当前不在报名时间内，或项目未开放报名。', e_not_eligible: '报名人的年龄不符合该项目要求。',
  e_term_limit_reached: '该报名人本学期同类项目的报名已达上限。', e_no_show_blocked: (d) => d ? `因上学期无故缺勤次数过多，${d} 前不能报名同类项目。` : '因上学期无故缺勤次数过多，暂时不能报名同类项目。',
  e_already_booked: '该报名人已报名此项目。', e_unauthorized: '登录已过期，请重新登录。', e_forbidden: '当前账号无权进行此操作。', e_too_many_requests: '请求过于频繁，请稍后重试。',
  e_unavailable: '服务暂时不可用，请稍后重试。', e_network: '网络连接失败，请检查网络后重试。', e_invalid_id_number: '身份证号无效：请核对号码和出生日期。', e_validation_failed: '请检查填写的内容。',
  e_not_found: '没有找到。', e_capacity_below_confirmed: '名额不能少于已确认人数。', e_conflict: '数据已被他人修改，请刷新后重试。', e_internal: '系统出错，请稍后重试。',
  e_idempotency_key_reused: '请求重复，请刷新后重试。', e_invalid_request: '请求无效。', e_payload_too_large: '内容过长。',
  // Issue 10: consent, verified identity, the privacy notice, the account's data.
  navAccount: '我的账号', privacyNotice: '个人信息保护告知书',
  consentTitle: '监护人同意', consentRead: '阅读告知书全文（在新窗口打开）',
  consentSummary: '未满十四周岁儿童的个人信息属于敏感个人信息，登记前须由父母或其他监护人单独同意。我们保存儿童的姓名、出生日期、身份证号的加密代码和后四位，只用于报名和出勤，在其最后一次课程结束 12 个月后删除。您可以随时撤回同意：撤回后儿童的报名取消，信息删除。',
  consentAgree: (v) => `我是该儿童的监护人，已阅读并同意《个人信息保护告知书》（版本 ${v}）`,
  consentNewVersion: (v) => `告知书已更新为版本 ${v}，请阅读后重新勾选。`,
  consentGiven: (v, d) => `监护人已同意告知书（版本 ${v}，${d}）`,
  verified: '已核验', verifiedOn: (d) => `已核验 · ${d}`, verifiedTitle: '机构工作人员已凭证件核验身份',
  deleteParticipant: '删除', deleteParticipantOf: (n) => `删除报名人 ${n}`,
  deleteParticipantConfirm: (n) => `确定删除报名人“${n}”吗？其姓名、出生日期和身份信息将被删除，无法恢复。`,
  deleteConfirmBtn: '确定删除', participantDeleted: '报名人已删除。',
  withdrawConsent: '撤回同意', withdrawConsentOf: (n) => `撤回同意（${n}）`,
  withdrawConfirm: (n) => `撤回同意后，${n} 所有进行中的报名将被取消（名额让给候补），其姓名、出生日期和身份信息将被删除，无法恢复。确定撤回吗？`,
  withdrawConfirmBtn: '撤回同意并删除信息', consentWithdrawn: '已撤回同意：该儿童的报名已取消，信息已删除。',
  goCancelBookings: '去“我的报名”取消报名',
  accountTitle: '我的账号', accountId: '账号：', readNotice: '阅读告知书', myData: '我的数据',
  exportIntro: '下载本账号保存的全部信息：报名人、报名、申请、同意记录和消息（JSON 文件）。', exportBtn: '下载我的数据',
  deleteAccountTitle: '注销账号', deleteWord: '注销',
  deleteAccountIntro: '注销将取消所有进行中的报名，并删除本账号的报名人及其姓名、出生日期和身份信息。全市统计所需的报名记录会保留，但不含姓名或身份。此操作无法撤销。',
  deleteAccountType: (w) => `请输入“${w}”以确认`, deleteAccountBtn: '永久注销账号', deleteAccountMismatch: (w) => `请输入“${w}”。`,
  accountDeleted: '账号已注销，您已退出登录。', privacyRights: '告知书说明了我们保存什么、为什么、保存多久、谁能看到，以及您的权利。',
  e_consent_required: '为未满十四周岁的儿童登记，须由监护人勾选同意告知书。',
  e_participant_limit: '每个账号最多登记 8 名报名人。请先删除不再需要的报名人，再添加。',
  e_has_active_bookings: '该报名人还有进行中的报名（已确认或候补），请先取消这些报名，再删除。',
  e_too_many_requests_until: (at) => `尝试次数已达上限，请于 ${at} 后再试。`,
  // Issue 12: messages to residents, how to reach them, the calendar.
  navMessages: '消息', msgTitle: '消息', msgReceived: '收到的消息',
  msgEmpty: '还没有消息。候补转正、名额保留及确认期限、期限将到、摇号结果、机构取消项目、开课前一天的提醒等，都会按下面选择的方式通知您，并列在这里。',
  ev_offer_made: '为您保留名额', ev_offer_expiring: '保留名额即将到期', ev_offer_expired: '保留名额已过期', ev_promoted: '候补转正',
  ev_draw_result: '摇号结果', ev_offering_cancelled: '项目已取消', ev_reminder: '开课提醒', ev_no_show_blocked: '因缺勤暂停报名',
  ev_verified_elsewhere: '身份已在其他账号核验',
  ch_sms: '短信', ch_email: '邮件', ch_wechat: '微信', ch_recorded: '站内消息', ch_app: '站内消息',
  ms_sent: '已发送', ms_failed: '发送失败', ms_recorded: '已记录',
  msgFailedHint: '未能送达。请确认本账号的手机号或邮箱已验证，或在下面选择其他通知方式。',
  prefsTitle: '通知方式', prefsLegend: '用以下方式通知我（可多选）',
  prefsIntro: '短信和邮件发到本账号已验证的手机号和邮箱，微信消息发给本账号绑定的微信；这些在此不能修改。没有已验证地址的方式不会使用。',
  chHint_sms: '发到已验证的手机号', chHint_email: '发到已验证的邮箱', chHint_wechat: '发到绑定的微信（订阅消息）',
  prefsNone: '请至少选择一种通知方式：名额保留、候补转正和确认期限只通过消息告知您。', prefsSave: '保存通知方式', prefsSaved: '通知方式已保存。',
  calTitle: '日历', calIntro: '把已确认报名的每次上课时间（北京时间）加入手机或电脑的日历。', calDownload: '下载日历',
  addToCalendar: '加入日历', addToCalendarOf: (n) => `加入日历：${n}`,
  feedTitle: '订阅日历', feedIntro: '日历应用订阅这个地址后，报名有变化（转正、取消）会自动更新。',
  feedWarn: '任何人拿到这个地址都能看到您的课程安排。请不要分享；如已泄露，请停用它。',
  feedCreate: '生成订阅地址', feedMade: '订阅地址已生成。', feedAddress: '订阅地址', feedOnce: '这个地址只显示这一次，请现在复制。',
  feedCopy: '复制地址', feedCopied: '地址已复制。', feedCopyFailed: '无法自动复制：地址已选中，请手动复制。', feedOpen: '用日历应用打开',
  feedRevoke: '停用订阅地址', feedRevokeConfirm: '停用后，用这个地址订阅的日历将不再更新。确定停用吗？', feedRevokeBtn: '确定停用', feedRevoked: '订阅地址已停用。',
  navApplications: '我的申请', e_already_applied: '这位报名人已申请过这个项目（每个身份证号只能申请一次）。', e_applications_closed: '现在不在申请时间内。',
  e_offer_expired: '保留期限已过，名额已让给下一位。', e_draw_not_ready: '尚未到抽签时间。',
  lotteryL: '分配方式', lotteryByDraw: '抽签（申请先后不影响结果）', applyWindow: '申请时间', drawAt: '抽签时间', drawLink: '核验抽签结果', drawLinkOf: (n) => `核验抽签：${n}`,
  applyTitle: '申请抽签', applyFor: '为谁申请', apply: '申请', applied: (at) => `已提交申请，将于 ${at} 抽签。`, applyOpensAt: (at) => `申请将于 ${at} 开始。`, applyClosed: (at) => `申请已截止，将于 ${at} 抽签。`,
  applyDrawn: '已抽签：名额按名次发放。', signInToApply: '登录后申请', myApplicationsHere: '我在这个项目的申请', viewApplications: '查看我的申请',
  withdraw: '撤回申请', withdrawOf: (n) => `撤回${n}的申请`, withdrawAsk: '确定撤回这个申请吗？撤回后不参加抽签。', withdrawn: '申请已撤回。',
  myApplications: '我的申请', noApplications: '还没有申请。', ticket: '签号', tier: '优先级', rank: '名次', rankOf: (r, n) => n ? `第 ${r} 名（共 ${n} 个）` : `第 ${r} 名`,
  ast_applied: '已申请，等待抽签', ast_withdrawn: '已撤回', ast_offered: '中签：已为你保留名额', ast_waitlisted: '候补（按名次）', ast_not_drawn: '未中签',
  viewBooking: '查看名额', bst_offered: '为你保留中', bst_expired: '已过期（未在期限内接受）',
  offerUntil: (at) => `名额为你保留到 ${at}，请在此之前接受；逾期将让给下一位。`, accept: '接受名额', decline: '放弃名额', declineAsk: '确定放弃这个名额吗？名额将让给下一位。',
  acceptOf: (n) => `接受名额：${n}`, declineOf: (n) => `放弃名额：${n}`, accepted: '已接受，名额已确认。',
  drawTitle: '抽签核验', drawIntro: '本页在你的浏览器里用公开的抽签文件重算每个签号的随机号和名次（SHA-256、HMAC-SHA256），不需要信任本系统。',
  drawStatus: '状态', ds_committed: '已公布承诺，尚未抽签', ds_drawn: '已抽签', algorithm: '算法', commitment: '承诺值（密钥的哈希）', beacon: '公共随机信标', beaconRound: (s, r) => `${s} 第 ${r} 轮`,
  randomness: '信标随机数', digest: '签号摘要', ticketsN: (n) => `${n} 个签号`, secret: '密钥', seed: '种子', applicants: '参加抽签',
  drawNotClosed: '申请尚未截止：承诺值和信标轮次已固定，请保存本页地址，抽签后回来核验。', ticketsOk: (n) => `${n} 个签号与其摘要一致。`,
  computing: (d, n) => `正在重算随机号：${d} / ${n}`, verifyOk: (n, r) => `核验通过：${n} 个签号，${r} 个名次全部重现。`, verifyBad: (k) => `核验不通过：${k} 处不符。`,
  check_algorithm: '算法', check_commitment: '密钥与承诺值', check_applicants_digest: '签号列表与摘要', check_seed: '种子', check_numbers: '每个签号的随机号', check_ranks: '每个签号的名次', check_results: '结果完整（每个签号一条）',
  matches: '一致', differs: '不符', countOf: (c, n) => `${c} / ${n}`, moreFindings: (n) => `还有 ${n} 处不符未列出。`,
  beaconHint: (s, r) => `随机数来自公共信标（${s} 第 ${r} 轮），申请截止前无人知道；可到信标来源核对。`, cliHint: '也可在电脑上用命令行核验：',
  findMine: '查找我的签号', applicationId: '申请编号', find: '查找', mineRank: (r, n) => `你的签号名次：第 ${r} 名（共 ${n} 个）。`, mineListed: '你的签号在名单中。', mineMissing: '你的签号不在这次抽签中：请核对申请编号。',
  verdictTitle: '核验结果', drawResults: '抽签结果', number: '随机号', firstRows: (n, m) => `显示前 ${n} 名（共 ${m} 个）。`, yours: '（你的）',
};

const en = {
  appName: 'Wuxi childcare & evening school booking', skip: 'Skip to main content', langSwitch: '中文', langSwitchLabel: '切换到中文',
  navBrowse: 'Find a place', navBookings: 'My bookings', navParticipants: 'Participants', navStaff: 'Centre', navCity: 'City dashboard',
  signIn: 'Sign in', signOut: 'Sign out', signedInAs: 'Signed in: ', loading: 'Loading…', retry: 'Retry', close: 'Close',
  kind_childcare: 'Inclusive childcare', kind_care_class: 'Holiday care class', kind_evening_course: 'Youth evening school',
  kindHint_childcare: 'ages 0–3', kindHint_care_class: 'pupils 6–12', kindHint_evening_course: 'ages 18–45',
  d_liangxi: 'Liangxi', d_xishan: 'Xishan', d_huishan: 'Huishan', d_binhu: 'Binhu', d_xinwu: 'Xinwu', d_jingkai: 'Jingkai', d_jiangyin: 'Jiangyin', d_yixing: 'Yixing',
  browseTitle: 'Find childcare, care classes and evening courses', browseIntro: 'Browse published offerings without signing in; sign in to book.',
  filters: 'Filters', fKind: 'Kind', fDistrict: 'District', fAge: 'Age (months)', fAgeHint: 'e.g. 24 for a two-year-old', fAvailable: 'Only with places left', all: 'All', search: 'Search',
  results: (n) => `Showing ${n} offerings`, noResults: 'No offerings match.', loadMore: 'Load more',
  dates: 'Dates', fee: 'Fee', free: 'Free', yuan: (y) => `¥${y}`, placesLeft: 'Places left', waitlist: 'Waitlist', people: (n) => `${n}`, capacity: 'Places', confirmedN: 'Confirmed',
  details: 'Details', back: 'Back to the list', centre: 'Centre', schedule: 'Schedule', ages: 'Ages', ageRange: (a, b) => `${fmtAge(a, 'en')}–${fmtAge(b, 'en')}`,
  bookingWindow: 'Booking', term: 'Term', status: 'Status', perTerm: 'Per person per term', unlimited: 'no limit',
  st_draft: 'Draft', st_published: 'Open', st_closed: 'Closed', st_cancelled: 'Cancelled',
  bookingState: 'Booking', bw_soon: (at) => `Booking opens ${at}`, bw_ended: 'Booking closed', bookOpensAt: (at) => `Booking opens at ${at}; you can book then.`, bookEnded: 'Booking has closed for this offering.',
  sessionExpired: 'Your sign-in has expired; please sign in again.', signInAgain: 'Sign in again',
  mfaSetupTitle: 'Centre and bureau accounts must first enrol an authenticator app (TOTP).',
  mfaSetupBody: 'Until then, the centre and city pages stay closed. Enrol an authenticator app (such as Microsoft Authenticator or Google Authenticator) in your account settings, following the steps your administrator gives; every sign-in then asks for its 6-digit code. After enrolling, sign out and sign in again.',
  book: 'Book', bookTitle: 'Book a place', joinWaitlist: 'Join the waitlist', bookFor: 'Book for', full: 'Full — you can join the waitlist',
  signInToBook: 'Sign in to book', noParticipants: 'No participants yet; add one first.', addParticipant: 'Add a participant', notEligibleHint: ' (age does not fit)',
  booked: 'Booked: your place is confirmed.', waitlisted: (n) => `You are on the waitlist, number ${n}.`, viewBookings: 'See my bookings',
  myBookings: 'My bookings', noBookings: 'No bookings yet.', bst_confirmed: 'Confirmed', bst_waitlisted: 'Waitlisted', bst_cancelled: 'Cancelled', position: (n) => `number ${n} in line`,
  cancel: 'Cancel booking', cancelConfirm: 'Cancel this booking?', cancelled: 'The booking is cancelled.', startsOn: 'Starts', cancelledByCentre: 'Cancelled by the centre: ',
  showCancelled: 'Show cancelled bookings', participants: 'Participants', name: 'Name', birthDate: 'Date of birth', idNumber: 'ID number (18 characters)',
  idHint: 'Used only to check identity and limits; only the last four characters are kept.', save: 'Save', added: 'Participant added.', idLast4: 'ID last 4',
  signInTitle: 'Sign in', signInIntro: 'Local demo: pick a demo account.', demoResident: 'Resident (demo)', demoStaff: 'Centre staff (Liangxi · c-liangxi-04)', demoOfficer: 'City education bureau (dashboard)',
  signInCognito: 'Sign in with the city account',
  staffTitle: 'Centre offerings', staffCentre: 'Centre', newOffering: 'New offering', create: 'Create', created: 'Offering created.',
  title: 'Title', description: 'Description', startsOnL: 'Starts on', endsOnL: 'Ends on', capacityL: 'Places', scheduleText: 'Schedule (text)', sessions: 'Session dates (one a line, YYYY-MM-DD)',
  feeYuan: 'Fee (yuan)', opensAt: 'Booking opens', closesAt: 'Booking closes', statusL: 'Status', publishNow: 'Publish now', draft: 'Draft',
  edit: 'Edit offering', saved: 'Saved.', roster: 'Roster', downloadCsv: 'Download CSV', downloadXlsx: 'Download Excel', downloaded: (n) => `Downloaded ${n}`,
  attendance: 'Attendance', sessionDay: 'Session day', att_present: 'Present', att_absent: 'Absent', att_excused: 'Excused', saveAttendance: 'Save attendance', attendanceSaved: (d) => `Attendance for ${d} saved.`,
  noBookingsForDay: 'No confirmed bookings.', noSessions: 'This offering has no session dates.', manage: 'Manage', no: 'No.', ageL: 'Age at start', bookedAt: 'Booked at', totals: 'Present/absent/excused',
  cityTitle: 'City dashboard: childcare, care classes, evening school', asOf: (d) => `As of ${d}`, cityKind: 'Kind', capByDistrict: 'Places and utilization by district', utilization: 'Utilization', available: 'Available',
  growth: 'Growth in places', growthChildcare: 'Inclusive childcare places (last year)', growthAll: 'All places (last year)', target: 'Target', achieved: 'Achieved', remaining: 'Remaining', progress: 'Progress',
  targetTitle: 'Progress towards targets', demand: 'Demand: waitlisted by district', oversub: 'Most oversubscribed offerings', oversubscription: 'Oversubscription', hoursToFull: 'Hours to full', fullOfferings: 'Full offerings',
  medianHours: 'Median hours to full', date: 'Date', district: 'District', kind: 'Kind', offerings: 'Offerings', centres: 'Centres', csv: 'Download CSV', tableOf: (t) => `${t} (table)`,
  chartAlt: 'The figures are in the table below.', total: 'City',
  e_offering_full: 'The offering is full. You can join the waitlist.', e_booking_closed: 'Booking is not open for this offering now.', e_not_eligible: "The participant's age does not fit this offering.",
  e_term_limit_reached: 'This participant has reached the limit of bookings of this kind this term.', e_no_show_blocked: (d) => d ? `Too many unexcused absences last term: booking this kind is blocked until ${d}.` : 'Too many unexcused absences last term: booking this kind is blocked for now.',
  e_already_booked: 'This participant has already booked this offering.', e_unauthorized: 'Your sign-in has expired; please sign in again.', e_forbidden: 'This account may not do that.', e_too_many_requests: 'Too many requests; please try again shortly.',
  e_unavailable: 'The service is unavailable for a moment; please retry.', e_network: 'No connection; check the network and retry.', e_invalid_id_number: 'Invalid ID number: check the number and the date of birth.', e_validation_failed: 'Please check the highlighted fields.',
  e_not_found: 'Not found.', e_capacity_below_confirmed: 'Places cannot be fewer than confirmed bookings.', e_conflict: 'Someone else changed this; reload and retry.', e_internal: 'Something went wrong; please retry later.',
  e_idempotency_key_reused: 'Duplicate request; reload and retry.', e_invalid_request: 'The request was not valid.', e_payload_too_large: 'Too long.',
  navAccount: 'My account', privacyNotice: 'Privacy notice',
  consentTitle: "Guardian's consent", consentRead: 'Read the full notice (opens in a new window)',
  consentSummary: "The personal information of a child under 14 is sensitive: a parent or other guardian must agree separately before the child is registered. We keep the child's name, date of birth, a protected code of the ID number and its last four characters, only for bookings and attendance, and erase them 12 months after the child's last course ends. You may withdraw consent at any time: the child's bookings are then cancelled and the data erased.",
  consentAgree: (v) => `I am this child's guardian; I have read and agree to the privacy notice (version ${v})`,
  consentNewVersion: (v) => `The notice has been updated to version ${v}; please read it and tick again.`,
  consentGiven: (v, d) => `Guardian agreed to the notice (version ${v}, ${d})`,
  verified: 'Verified', verifiedOn: (d) => `Verified · ${d}`, verifiedTitle: 'Identity checked by centre staff against a document',
  deleteParticipant: 'Delete', deleteParticipantOf: (n) => `Delete participant ${n}`,
  deleteParticipantConfirm: (n) => `Delete ${n}? Their name, date of birth and identity will be erased; this cannot be undone.`,
  deleteConfirmBtn: 'Delete', participantDeleted: 'Participant deleted.',
  withdrawConsent: 'Withdraw consent', withdrawConsentOf: (n) => `Withdraw consent for ${n}`,
  withdrawConfirm: (n) => `If you withdraw consent, all of ${n}'s active bookings are cancelled (the places go to the waitlist) and their name, date of birth and identity are erased; this cannot be undone. Withdraw?`,
  withdrawConfirmBtn: 'Withdraw consent and erase', consentWithdrawn: "Consent withdrawn: the child's bookings are cancelled and the data erased.",
  goCancelBookings: 'Cancel them in My bookings',
  accountTitle: 'My account', accountId: 'Account: ', readNotice: 'Read the notice', myData: 'My data',
  exportIntro: 'Download everything this account holds: participants, bookings, applications, consents and messages (a JSON file).', exportBtn: 'Download my data',
  deleteAccountTitle: 'Delete my account', deleteWord: 'DELETE',
  deleteAccountIntro: "Deleting cancels every active booking and erases the account's participants with their names, dates of birth and identities. Bookings the city's figures need are kept, without a name or identity. This cannot be undone.",
  deleteAccountType: (w) => `Type “${w}” to confirm`, deleteAccountBtn: 'Delete my account permanently', deleteAccountMismatch: (w) => `Type “${w}”.`,
  accountDeleted: 'Your account is deleted and you are signed out.', privacyRights: 'The notice says what we keep, why, for how long, who can see it, and your rights.',
  e_consent_required: "To register a child under 14, the guardian must tick the box to agree to the notice.",
  e_participant_limit: 'An account can hold at most 8 participants. Delete one you no longer need, then add.',
  e_has_active_bookings: 'This participant still has active bookings (confirmed or waitlisted): cancel them first, then delete.',
  e_too_many_requests_until: (at) => `Too many attempts; please try again after ${at}.`,
  navMessages: 'Messages', msgTitle: 'Messages', msgReceived: 'Messages sent to you',
  msgEmpty: 'No messages yet. When a waitlisted booking is confirmed, a place is held for you (with its deadline, and a reminder before it passes), a draw is decided, a centre cancels an offering, or a course starts tomorrow, you are told by the ways chosen below, and the message is listed here.',
  ev_offer_made: 'Place held for you', ev_offer_expiring: 'Held place expiring soon', ev_offer_expired: 'Held place expired', ev_promoted: 'Confirmed from the waitlist',
  ev_draw_result: 'Draw result', ev_offering_cancelled: 'Offering cancelled', ev_reminder: 'Starts tomorrow', ev_no_show_blocked: 'Booking paused for absences',
  ev_verified_elsewhere: 'Identity verified for another account',
  ch_sms: 'SMS', ch_email: 'E-mail', ch_wechat: 'WeChat', ch_recorded: 'On this site', ch_app: 'On this site',
  ms_sent: 'Sent', ms_failed: 'Not sent', ms_recorded: 'Recorded',
  msgFailedHint: "Not delivered. Check that this account's phone number or e-mail address is verified, or choose another way below.",
  prefsTitle: 'How to reach me', prefsLegend: 'Tell me by (choose any)',
  prefsIntro: "SMS and e-mail go to the phone number and e-mail address verified on this account, WeChat messages to the WeChat linked to it; they cannot be changed here. A way without a verified address is not used.",
  chHint_sms: 'to the verified phone number', chHint_email: 'to the verified e-mail address', chHint_wechat: 'to the linked WeChat (subscription message)',
  prefsNone: 'Choose at least one way: held places, promotions and deadlines reach you only by message.', prefsSave: 'Save how to reach me', prefsSaved: 'Saved how to reach you.',
  calTitle: 'Calendar', calIntro: "Put every session of your confirmed bookings (Beijing time) in your phone's or computer's calendar.", calDownload: 'Download calendar',
  addToCalendar: 'Add to calendar', addToCalendarOf: (n) => `Add to calendar: ${n}`,
  feedTitle: 'Subscribe', feedIntro: 'A calendar app subscribed to this address follows your bookings as they change (confirmed, cancelled).',
  feedWarn: 'Anyone with this address can see your timetable. Do not share it; if it has leaked, revoke it.',
  feedCreate: 'Create a subscription address', feedMade: 'Subscription address created.', feedAddress: 'Subscription address', feedOnce: 'The address is shown only this once: copy it now.',
  feedCopy: 'Copy address', feedCopied: 'Address copied.', feedCopyFailed: 'Could not copy: the address is selected; copy it by hand.', feedOpen: 'Open in a calendar app',
  feedRevoke: 'Revoke the subscription address', feedRevokeConfirm: 'Once revoked, calendars subscribed to the address stop updating. Revoke it?', feedRevokeBtn: 'Revoke', feedRevoked: 'Subscription address revoked.',
  navApplications: 'My applications', e_already_applied: 'This participant has already applied for this offering (one application per ID number).', e_applications_closed: 'Applications are not open now.',
  e_offer_expired: 'The hold has expired; the place went to the next in line.', e_draw_not_ready: 'It is not time for the draw yet.',
  lotteryL: 'Allocation', lotteryByDraw: 'By lottery (applying early gives no advantage)', applyWindow: 'Applications', drawAt: 'Draw', drawLink: 'Check the draw', drawLinkOf: (n) => `Check the draw: ${n}`,
  applyTitle: 'Apply for the draw', applyFor: 'Apply for', apply: 'Apply', applied: (at) => `Application made; the draw is at ${at}.`, applyOpensAt: (at) => `Applications open at ${at}.`, applyClosed: (at) => `Applications are closed; the draw is at ${at}.`,
  applyDrawn: 'Drawn: places are offered by rank.', signInToApply: 'Sign in to apply', myApplicationsHere: 'My applications for this offering', viewApplications: 'See my applications',
  withdraw: 'Withdraw', withdrawOf: (n) => `Withdraw the application for ${n}`, withdrawAsk: 'Withdraw this application? It will not be in the draw.', withdrawn: 'The application is withdrawn.',
  myApplications: 'My applications', noApplications: 'No applications yet.', ticket: 'Ticket', tier: 'Tier', rank: 'Rank', rankOf: (r, n) => n ? `rank ${r} of ${n}` : `rank ${r}`,
  ast_applied: 'Applied, awaiting the draw', ast_withdrawn: 'Withdrawn', ast_offered: 'Drawn: a place is held for you', ast_waitlisted: 'On the waitlist (by rank)', ast_not_drawn: 'Not drawn',
  viewBooking: 'See the place', bst_offered: 'Held for you', bst_expired: 'Expired (not accepted in time)',
  offerUntil: (at) => `The place is held for you until ${at}; accept it before then, or it goes to the next in line.`, accept: 'Accept the place', decline: 'Decline',
  declineAsk: 'Decline this place? It goes to the next in line.', acceptOf: (n) => `Accept the place: ${n}`, declineOf: (n) => `Decline the place: ${n}`, accepted: 'Accepted: your place is confirmed.',
  drawTitle: 'Check the draw', drawIntro: 'This page recomputes every ticket\u2019s number and rank from the public draw document in your browser (SHA-256, HMAC-SHA256): no need to trust this system.',
  drawStatus: 'Status', ds_committed: 'Committed, not drawn yet', ds_drawn: 'Drawn', algorithm: 'Algorithm', commitment: 'Commitment (hash of the secret)', beacon: 'Public randomness beacon', beaconRound: (s, r) => `${s} round ${r}`,
  randomness: 'Beacon randomness', digest: 'Tickets\u2019 digest', ticketsN: (n) => `${n} tickets`, secret: 'Secret', seed: 'Seed', applicants: 'In the draw',
  drawNotClosed: 'Applications are not closed yet: the commitment and the beacon round are fixed; keep this page\u2019s address and come back after the draw.', ticketsOk: (n) => `The ${n} tickets match their digest.`,
  computing: (d, n) => `Recomputing numbers: ${d} / ${n}`, verifyOk: (n, r) => `Checked: ${n} tickets, all ${r} ranks reproduced.`, verifyBad: (k) => `CHECK FAILED: ${k} mismatches.`,
  check_algorithm: 'Algorithm', check_commitment: 'Secret and commitment', check_applicants_digest: 'Tickets and their digest', check_seed: 'Seed', check_numbers: 'Every ticket\u2019s number', check_ranks: 'Every ticket\u2019s rank', check_results: 'Results complete (one per ticket)',
  matches: 'matches', differs: 'differs', countOf: (c, n) => `${c} / ${n}`, moreFindings: (n) => `${n} more mismatches not listed.`,
  beaconHint: (s, r) => `The randomness comes from a public beacon (${s} round ${r}) nobody knew before applications closed; check it at its source.`, cliHint: 'Or check it on a computer from the command line:',
  findMine: 'Find my ticket', applicationId: 'Application id', find: 'Find', mineRank: (r, n) => `Your ticket: rank ${r} of ${n}.`, mineListed: 'Your ticket is among the tickets.', mineMissing: 'Your ticket is not in this draw: check the application id.',
  verdictTitle: 'Verdict', drawResults: 'Results', number: 'Number', firstRows: (n, m) => `The first ${n} ranks of ${m}.`, yours: ' (yours)',
};

export function fmtAge(months, l) {
  const y = Math.floor(months / 12), m = months % 12;
  if (l === 'en') return y ? (m ? `${y}y ${m}m` : `${y} years`) : `${m} months`;
  return y ? (m ? `${y}岁${m}个月` : `${y}岁`) : `${m}个月`;
}

const stored = (() => { try { return localStorage.getItem('enrol.lang'); } catch { return null; } })();
export const lang = signal(stored === 'en' ? 'en' : 'zh-CN');

export function setLang(l) {
  lang.value = l;
  try { localStorage.setItem('enrol.lang', l); } catch { /* private mode */ }
  document.documentElement.lang = l;
}

// A message in language l; t is in the page's language.
export function tIn(l, key, ...args) {
  const dict = l === 'en' ? en : zh;
  const v = dict[key] ?? zh[key] ?? key;
  return typeof v === 'function' ? v(...args) : v;
}
export const t = (key, ...args) => tIn(lang.value, key, ...args);
// A page's own texts, kept beside it (policy.jsx) and added when its module loads.
export function addTexts(zhPart, enPart) { Object.assign(zh, zhPart); Object.assign(en, enPart); }

export const KINDS = ['childcare', 'care_class', 'evening_course'];
export const DISTRICTS = ['liangxi', 'xishan', 'huishan', 'binhu', 'xinwu', 'jingkai', 'jiangyin', 'yixing'];

export const fmtDate = (d) => d || '';
// The day of an instant in Wuxi, YYYY-MM-DD, in either language.
export function fmtDay(s) {
  const d = new Date(s);
  return isNaN(d) ? s || '' : d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}
export function fmtDateTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return s;
  return d.toLocaleString(lang.value === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
export const fmtFee = (fen) => (fen ? t('yuan', (fen / 100).toFixed(fen % 100 ? 2 : 0)) : t('free'));
export const fmtPct = (x) => (x * 100).toFixed(1) + '%';
export const fmtNum = (n) => (n == null ? '' : Number(n).toLocaleString(lang.value === 'en' ? 'en' : 'zh-CN'));
