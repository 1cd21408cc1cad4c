package sim

import (
	"fmt"
	"strings"
)

// A fleet larger than the district (Config.Units above len(Roster())) is
// filled with the units of other Beijing districts, district by district:
// each district's government, its thirty bureaus (the same departments as
// Huairou's, renamed), its towns and townships and its street offices, with
// their real names. When those run out the districts are dealt again with a
// numeric suffix on ids and names (miyun-finance-2, 密云区财政局（2）).

type otherDistrict struct {
	id, name, en string
	towns        []town
	streets      []street
}

var otherDistricts = []otherDistrict{
	{"miyun", "密云区", "Miyun", []town{
		{"xiwengzhuang", "溪翁庄镇", "Xiwengzhuang", false, nil}, {"xitiangezhuang", "西田各庄镇", "Xitiangezhuang", false, nil},
		{"shilipu", "十里堡镇", "Shilipu", false, nil}, {"henanzhai", "河南寨镇", "Henanzhai", false, nil},
		{"jugezhuang", "巨各庄镇", "Jugezhuang", false, nil}, {"mujiayu", "穆家峪镇", "Mujiayu", false, nil},
		{"taishitun", "太师屯镇", "Taishitun", false, nil}, {"gaoling", "高岭镇", "Gaoling", false, nil},
		{"bulaotun", "不老屯镇", "Bulaotun", false, nil}, {"fengjiayu", "冯家峪镇", "Fengjiayu", false, nil},
		{"gubeikou", "古北口镇", "Gubeikou", false, nil}, {"dachengzi", "大城子镇", "Dachengzi", false, nil},
	}, []street{{"gulou-street", "鼓楼街道", "Gulou", nil}, {"guoyuan-street", "果园街道", "Guoyuan", nil}}},
	{"yanqing", "延庆区", "Yanqing", []town{
		{"badaling", "八达岭镇", "Badaling", false, nil}, {"yongning", "永宁镇", "Yongning", false, nil},
		{"kangzhuang", "康庄镇", "Kangzhuang", false, nil}, {"zhangshanying", "张山营镇", "Zhangshanying", false, nil},
		{"jiuxian", "旧县镇", "Jiuxian", false, nil}, {"shenjiaying", "沈家营镇", "Shenjiaying", false, nil},
		{"jingzhuang", "井庄镇", "Jingzhuang", false, nil}, {"dayushu", "大榆树镇", "Dayushu", false, nil},
		{"sihai", "四海镇", "Sihai", false, nil}, {"qianjiadian", "千家店镇", "Qianjiadian", false, nil},
		{"zhenzhuquan", "珍珠泉乡", "Zhenzhuquan", false, nil}, {"xiangying", "香营乡", "Xiangying", false, nil},
	}, []street{{"rulin-street", "儒林街道", "Rulin", nil}, {"baiquan-street", "百泉街道", "Baiquan", nil}, {"xiangshuiyuan-street", "香水园街道", "Xiangshuiyuan", nil}}},
	{"pinggu", "平谷区", "Pinggu", []town{
		{"mafang", "马坊镇", "Mafang", false, nil}, {"jinhaihu", "金海湖镇", "Jinhaihu", false, nil},
		{"donggaocun", "东高村镇", "Donggaocun", false, nil}, {"shandongzhuang", "山东庄镇", "Shandongzhuang", false, nil},
		{"nandulehe", "南独乐河镇", "Nandulehe", false, nil}, {"dahuashan", "大华山镇", "Dahuashan", false, nil},
		{"xiagezhuang", "夏各庄镇", "Xiagezhuang", false, nil}, {"machangying", "马昌营镇", "Machangying", false, nil},
		{"wangxinzhuang", "王辛庄镇", "Wangxinzhuang", false, nil}, {"daxingzhuang", "大兴庄镇", "Daxingzhuang", false, nil},
		{"liujiadian", "刘家店镇", "Liujiadian", false, nil}, {"yukou", "峪口镇", "Yukou", false, nil},
	}, []street{{"binhe-street", "滨河街道", "Binhe", nil}, {"xinggu-street", "兴谷街道", "Xinggu", nil}}},
	{"shunyi", "顺义区", "Shunyi", []town{
		{"renhe", "仁和镇", "Renhe", false, nil}, {"houshayu", "后沙峪镇", "Houshayu", false, nil},
		{"tianzhu", "天竺镇", "Tianzhu", false, nil}, {"yangzhen", "杨镇", "Yangzhen", false, nil},
		{"niulanshan", "牛栏山镇", "Niulanshan", false, nil}, {"nanfaxin", "南法信镇", "Nanfaxin", false, nil},
		{"mapo", "马坡镇", "Mapo", false, nil}, {"beixiaoying", "北小营镇", "Beixiaoying", false, nil},
		{"gaoliying", "高丽营镇", "Gaoliying", false, nil}, {"liqiao", "李桥镇", "Liqiao", false, nil},
		{"lisui", "李遂镇", "Lisui", false, nil}, {"zhaoquanying", "赵全营镇", "Zhaoquanying", false, nil},
	}, []street{{"shengli-street", "胜利街道", "Shengli", nil}, {"guangming-street", "光明街道", "Guangming", nil}, {"shiyuan-street", "石园街道", "Shiyuan", nil}}},
	{"changping", "昌平区", "Changping", []town{
		{"nankou", "南口镇", "Nankou", false, nil}, {"machikou", "马池口镇", "Machikou", false, nil},
		{"shahe", "沙河镇", "Shahe", false, nil}, {"yangfang", "阳坊镇", "Yangfang", false, nil},
		{"xiaotangshan", "小汤山镇", "Xiaotangshan", false, nil}, {"nanshao", "南邵镇", "Nanshao", false, nil},
		{"cuicun", "崔村镇", "Cuicun", false, nil}, {"baishan", "百善镇", "Baishan", false, nil},
		{"liucun", "流村镇", "Liucun", false, nil}, {"xingshou", "兴寿镇", "Xingshou", false, nil},
		{"shisanling", "十三陵镇", "Shisanling", false, nil}, {"beiqijia", "北七家镇", "Beiqijia", false, nil},
	}, []street{{"chengbei-street", "城北街道", "Chengbei", nil}, {"chengnan-street", "城南街道", "Chengnan", nil}, {"huilongguan-street", "回龙观街道", "Huilongguan", nil}}},
}

var (
	townTopics   = []string{"人居环境整治", "森林防火", "防汛", "乡村振兴", "接诉即办", "垃圾分类", "安全生产", "美丽乡村建设", "民宿产业发展", "农村集体资产管理"}
	streetTopics = []string{"社区治理", "接诉即办", "老旧小区改造", "垃圾分类", "为老服务", "背街小巷整治"}
)

// rotate returns n topics of pool starting at i, wrapping around.
func rotate(pool []string, i, n int) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = pool[(i+k)%len(pool)]
	}
	return out
}

// otherUnits returns the units of district d in roster order; round > 1
// suffixes their ids and names.
func otherUnits(d otherDistrict, round int) []RosterEntry {
	short := strings.TrimSuffix(d.name, "区")
	initial := string([]rune(d.name)[:1])
	idSuffix, nameSuffix := "", ""
	if round > 1 {
		idSuffix, nameSuffix = fmt.Sprintf("-%d", round), fmt.Sprintf("（%d）", round)
	}
	out := []RosterEntry{{
		ID: d.id + idSuffix, Name: d.name + "人民政府" + nameSuffix, NameEN: d.en + " District People's Government", Type: "district",
		FullName: "北京市" + d.name + "人民政府", Abbr: initial + "政", Domain: "全区经济社会发展",
		Topics: []string{"优化营商环境", "民生实事", "乡村振兴", "生态涵养", "城市更新"},
		Head:   "区长", Deputy: "副区长", District: d.name,
	}}
	for _, b := range bureaus {
		head, deputy := "局长", "副局长"
		if b.commission {
			head, deputy = "主任", "副主任"
		}
		en := strings.ReplaceAll(b.en, "Huairou", d.en)
		if strings.HasPrefix(en, "District ") {
			en = d.en + " " + en
		}
		full := strings.ReplaceAll(strings.ReplaceAll(b.full, "怀柔区", d.name), "怀柔", short)
		out = append(out, RosterEntry{
			ID: d.id + "-" + b.id + idSuffix, Name: d.name + strings.TrimPrefix(b.name, "区") + nameSuffix, NameEN: en, Type: "bureau",
			FullName: full, Abbr: initial + strings.TrimPrefix(b.abbr, "怀"), Domain: b.domain, Topics: b.topics,
			Head: head, Deputy: deputy, District: d.name,
		})
	}
	for i, t := range d.towns {
		kind, en := "镇", "Town"
		if strings.HasSuffix(t.name, "乡") {
			kind, en = "乡", "Township"
		}
		out = append(out, RosterEntry{
			ID: d.id + "-" + t.id + idSuffix, Name: t.name + nameSuffix, NameEN: t.en + " " + en, Type: "township",
			FullName: "北京市" + d.name + t.name + "人民政府", Abbr: initial + string([]rune(t.name)[:2]),
			Domain: t.name + "经济社会发展", Topics: rotate(townTopics, 3*i, 4),
			Head: kind + "长", Deputy: "副" + kind + "长", Secretary: kind + "党委书记", District: d.name,
		})
	}
	for i, s := range d.streets {
		out = append(out, RosterEntry{
			ID: d.id + "-" + s.id + idSuffix, Name: s.name + nameSuffix, NameEN: s.en + " Subdistrict Office", Type: "street",
			FullName: "北京市" + d.name + s.name + "办事处", Abbr: initial + string([]rune(s.name)[:2]) + "街",
			Domain: "社区治理", Topics: rotate(streetTopics, 2*i, 4),
			Head: "办事处主任", Deputy: "办事处副主任", Secretary: "街道工委书记", District: d.name,
		})
	}
	return out
}

// rosterOf returns the first n units of the fleet: the district roster,
// then the units of other districts; n <= 0 means the district roster.
func rosterOf(n int) []RosterEntry {
	out := Roster()
	if n <= 0 {
		return out
	}
	for round := 1; len(out) < n; round++ {
		for _, d := range otherDistricts {
			if len(out) >= n {
				break
			}
			out = append(out, otherUnits(d, round)...)
		}
	}
	return out[:n]
}
