package sim

// DistrictName is the display name of the simulated district.
const DistrictName = "怀柔区"

// RosterEntry describes one unit of the simulated district before any
// content is generated: who it is and what it works on.
type RosterEntry struct {
	// ID is the unit id used in the units file ([a-z0-9-]+).
	ID string
	// Name is the short Chinese name (区财政局, 怀柔镇).
	Name string
	// NameEN is the English name.
	NameEN string
	// Type is the unit type: district, bureau, township or street.
	Type string
	// FullName is the organ's full name as printed on its pages and reports
	// (北京市怀柔区财政局).
	FullName string
	// Abbr is the prefix of the unit's document numbers (怀财 in 怀财发〔2025〕3号).
	Abbr string
	// Domain is a word for what the unit works on, used in titles (财政).
	Domain string
	// Topics are the unit's typical work topics, used in titles.
	Topics []string
	// Head is the title of the unit's head (局长, 主任, 镇长).
	Head string
	// Deputy is the title of its deputies (副局长).
	Deputy string
	// Secretary is the party title shown first on town and street leader pages.
	Secretary string
	// District is the name of the district the unit belongs to (怀柔区; other
	// Beijing districts for the synthetic units of a larger fleet).
	District string
}

// Roster returns the units of the simulated district in a fixed order: the
// district government first, then the bureaus, the towns and townships, and
// the street offices. Unit i of a District is Roster()[i].
func Roster() []RosterEntry {
	out := []RosterEntry{{
		ID: "huairou", Name: "怀柔区人民政府", NameEN: "Huairou District People's Government", Type: "district",
		FullName: "北京市怀柔区人民政府", Abbr: "怀政", Domain: "全区经济社会发展",
		Topics: []string{"优化营商环境", "怀柔科学城建设", "民生实事", "乡村振兴", "生态涵养"},
		Head:   "区长", Deputy: "副区长", District: DistrictName,
	}}
	for _, b := range bureaus {
		head, deputy := "局长", "副局长"
		if b.commission {
			head, deputy = "主任", "副主任"
		}
		out = append(out, RosterEntry{
			ID: b.id, Name: b.name, NameEN: b.en, Type: "bureau", FullName: b.full, Abbr: b.abbr,
			Domain: b.domain, Topics: b.topics, Head: head, Deputy: deputy, District: DistrictName,
		})
	}
	for _, t := range towns {
		kind, en := "镇", "Town"
		if t.ethnic {
			kind, en = "乡", "Manchu Ethnic Township"
		}
		out = append(out, RosterEntry{
			ID: t.id, Name: t.name, NameEN: t.en + " " + en, Type: "township",
			FullName: "北京市怀柔区" + t.name + "人民政府", Abbr: "怀" + string([]rune(t.name)[:2]),
			Domain: t.name + "经济社会发展", Topics: t.topics,
			Head: kind + "长", Deputy: "副" + kind + "长", Secretary: kind + "党委书记", District: DistrictName,
		})
	}
	for _, s := range streets {
		out = append(out, RosterEntry{
			ID: s.id, Name: s.name, NameEN: s.en + " Subdistrict Office", Type: "street",
			FullName: "北京市怀柔区" + s.name + "办事处", Abbr: "怀" + string([]rune(s.name)[:2]) + "街",
			Domain: "社区治理", Topics: s.topics,
			Head: "办事处主任", Deputy: "办事处副主任", Secretary: "街道工委书记", District: DistrictName,
		})
	}
	return out
}

type bureau struct {
	id, name, en, full, abbr, domain string
	commission                       bool
	topics                           []string
}

var bureaus = []bureau{
	{"development-reform", "区发展改革委", "District Development and Reform Commission", "北京市怀柔区发展和改革委员会", "怀发改", "发展改革", true, []string{"重大项目建设", "价格监测", "节能降耗", "社会信用体系建设"}},
	{"education", "区教委", "District Education Commission", "北京市怀柔区教育委员会", "怀教", "教育", true, []string{"义务教育入学", "校园安全", "课后服务", "教师队伍建设"}},
	{"science", "区科委", "District Science and Technology Commission", "北京市怀柔区科学技术委员会", "怀科", "科技", true, []string{"科学城建设", "高新技术企业培育", "科技成果转化", "科普宣传"}},
	{"economy-it", "区经济和信息化局", "District Economy and Information Technology Bureau", "北京市怀柔区经济和信息化局", "怀经信", "经济和信息化", false, []string{"工业经济运行", "中小企业服务", "数字经济", "专精特新企业培育"}},
	{"civil-affairs", "区民政局", "District Civil Affairs Bureau", "北京市怀柔区民政局", "怀民", "民政", false, []string{"社会救助", "养老服务", "社区治理", "婚姻登记服务"}},
	{"justice", "区司法局", "District Justice Bureau", "北京市怀柔区司法局", "怀司", "司法行政", false, []string{"普法宣传", "人民调解", "法律援助", "行政复议"}},
	{"finance", "区财政局", "District Finance Bureau", "北京市怀柔区财政局", "怀财", "财政", false, []string{"预算绩效管理", "政府采购", "国库集中支付", "财会监督"}},
	{"hr-social-security", "区人力社保局", "District Human Resources and Social Security Bureau", "北京市怀柔区人力资源和社会保障局", "怀人社", "人力社保", false, []string{"就业创业", "社会保险", "劳动保障监察", "职业技能培训"}},
	{"planning-resources", "区规划自然资源分局", "Huairou Branch of the Planning and Natural Resources Commission", "北京市规划和自然资源委员会怀柔分局", "怀规自", "规划和自然资源", false, []string{"国土空间规划", "耕地保护", "不动产登记", "地质灾害防治"}},
	{"ecology-environment", "区生态环境局", "District Ecology and Environment Bureau", "北京市怀柔区生态环境局", "怀环", "生态环境", false, []string{"大气污染防治", "水污染防治", "环境执法", "生态保护红线监管"}},
	{"housing-construction", "区住房城乡建设委", "District Housing and Urban-Rural Development Commission", "北京市怀柔区住房和城乡建设委员会", "怀住建", "住房城乡建设", true, []string{"老旧小区改造", "施工扬尘治理", "保障性住房", "物业管理"}},
	{"urban-management", "区城市管理委", "District Urban Management Commission", "北京市怀柔区城市管理委员会", "怀城管", "城市管理", true, []string{"垃圾分类", "冬季供暖保障", "背街小巷整治", "市政设施维护"}},
	{"transport", "区交通局", "District Transport Bureau", "北京市怀柔区交通局", "怀交", "交通", false, []string{"道路养护", "公交线网优化", "交通安全", "农村公路建设"}},
	{"water", "区水务局", "District Water Affairs Bureau", "北京市怀柔区水务局", "怀水", "水务", false, []string{"防汛", "河长制", "节约用水", "水土保持"}},
	{"agriculture", "区农业农村局", "District Agriculture and Rural Affairs Bureau", "北京市怀柔区农业农村局", "怀农", "农业农村", false, []string{"乡村振兴", "高标准农田建设", "农产品质量安全", "农村人居环境整治"}},
	{"commerce", "区商务局", "District Commerce Bureau", "北京市怀柔区商务局", "怀商", "商务", false, []string{"消费促进", "外资外贸", "便民商业网点", "商务领域安全"}},
	{"culture-tourism", "区文化和旅游局", "District Culture and Tourism Bureau", "北京市怀柔区文化和旅游局", "怀文旅", "文化和旅游", false, []string{"文旅融合", "公共文化服务", "旅游市场秩序", "文物保护"}},
	{"health", "区卫生健康委", "District Health Commission", "北京市怀柔区卫生健康委员会", "怀卫", "卫生健康", true, []string{"基层医疗卫生", "爱国卫生运动", "传染病防控", "医疗服务质量"}},
	{"veterans", "区退役军人局", "District Veterans Affairs Bureau", "北京市怀柔区退役军人事务局", "怀退役", "退役军人事务", false, []string{"优抚安置", "退役军人就业", "双拥共建", "烈士纪念设施管理"}},
	{"emergency", "区应急管理局", "District Emergency Management Bureau", "北京市怀柔区应急管理局", "怀应急", "应急管理", false, []string{"安全生产", "森林防火", "应急演练", "防灾减灾"}},
	{"market-regulation", "区市场监管局", "District Market Regulation Bureau", "北京市怀柔区市场监督管理局", "怀市监", "市场监管", false, []string{"食品安全", "特种设备安全", "知识产权保护", "价格监督检查"}},
	{"audit", "区审计局", "District Audit Bureau", "北京市怀柔区审计局", "怀审", "审计", false, []string{"预算执行审计", "经济责任审计", "审计整改", "政府投资审计"}},
	{"state-assets", "区国资委", "District State-owned Assets Supervision Commission", "北京市怀柔区人民政府国有资产监督管理委员会", "怀国资", "国资监管", true, []string{"国企改革", "国有资产监管", "国企安全生产", "企业负责人考核"}},
	{"stats", "区统计局", "District Statistics Bureau", "北京市怀柔区统计局", "怀统", "统计", false, []string{"经济普查", "统计执法检查", "统计调查", "统计业务培训"}},
	{"forestry", "区园林绿化局", "District Landscaping and Forestry Bureau", "北京市怀柔区园林绿化局", "怀园林", "园林绿化", false, []string{"植树造林", "林长制", "林业有害生物防治", "森林资源保护"}},
	{"medical-security", "区医保局", "District Medical Security Bureau", "北京市怀柔区医疗保障局", "怀医保", "医疗保障", false, []string{"医保基金监管", "医保参保缴费", "异地就医结算", "医药价格治理"}},
	{"government-services", "区政务服务局", "District Government Services Bureau", "北京市怀柔区政务服务和数据管理局", "怀政服", "政务服务", false, []string{"一网通办", "接诉即办", "政务服务中心建设", "数据资源管理"}},
	{"sports", "区体育局", "District Sports Bureau", "北京市怀柔区体育局", "怀体", "体育", false, []string{"全民健身", "体育赛事", "青少年体育", "体育设施建设"}},
	{"petitions", "区信访办", "District Letters and Visits Office", "北京市怀柔区信访办公室", "怀信", "信访", true, []string{"信访积案化解", "领导接访下访", "信访法治化建设", "矛盾纠纷排查"}},
	{"public-security", "区公安分局", "Huairou Sub-bureau of the Public Security Bureau", "北京市公安局怀柔分局", "怀公", "公安", false, []string{"交通秩序整治", "反诈宣传", "户籍管理服务", "社会治安防控"}},
}

type town struct {
	id, name, en string
	ethnic       bool
	topics       []string
}

var towns = []town{
	{"huairou-town", "怀柔镇", "Huairou", false, []string{"老旧小区改造", "人居环境整治", "接诉即办", "垃圾分类"}},
	{"yanqi", "雁栖镇", "Yanqi", false, []string{"民宿产业发展", "雁栖湖周边环境整治", "森林防火", "乡村振兴"}},
	{"miaocheng", "庙城镇", "Miaocheng", false, []string{"产业园区服务", "人居环境整治", "防汛", "农村集体资产管理"}},
	{"beifang", "北房镇", "Beifang", false, []string{"美丽乡村建设", "人居环境整治", "接诉即办", "安全生产"}},
	{"yangsong", "杨宋镇", "Yangsong", false, []string{"影视产业服务", "人居环境整治", "垃圾分类", "安全生产"}},
	{"qiaozi", "桥梓镇", "Qiaozi", false, []string{"果品产业发展", "森林防火", "乡村振兴", "防汛"}},
	{"huaibei", "怀北镇", "Huaibei", false, []string{"民俗旅游发展", "森林防火", "人居环境整治", "防汛"}},
	{"tanghekou", "汤河口镇", "Tanghekou", false, []string{"生态涵养", "森林防火", "防汛", "乡村振兴"}},
	{"bohai", "渤海镇", "Bohai", false, []string{"板栗产业发展", "长城文化带保护", "森林防火", "民宿管理"}},
	{"jiuduhe", "九渡河镇", "Jiuduhe", false, []string{"长城文化带保护", "森林防火", "乡村振兴", "防汛"}},
	{"liulimiao", "琉璃庙镇", "Liulimiao", false, []string{"生态涵养", "森林防火", "防汛", "民宿产业发展"}},
	{"baoshan", "宝山镇", "Baoshan", false, []string{"生态涵养", "森林防火", "防汛", "乡村振兴"}},
	{"changshaoying", "长哨营满族乡", "Changshaoying", true, []string{"民族团结进步创建", "森林防火", "防汛", "生态涵养"}},
	{"labagoumen", "喇叭沟门满族乡", "Labagoumen", true, []string{"民族团结进步创建", "原始森林保护", "森林防火", "防汛"}},
}

type street struct {
	id, name, en string
	topics       []string
}

var streets = []street{
	{"quanhe-street", "泉河街道", "Quanhe", []string{"社区治理", "接诉即办", "背街小巷整治", "垃圾分类"}},
	{"longshan-street", "龙山街道", "Longshan", []string{"社区治理", "老旧小区改造", "接诉即办", "为老服务"}},
}
