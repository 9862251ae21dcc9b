//! The template's sheets and columns: one table that both the writer (headers, drop-down
//! lists, the README sheet) and the reader (which headers are known, which are required) use,
//! so the two cannot drift apart. Column names are the JSON names of the record's fields
//! (`docs/records.md`), flattened where the JSON nests (`gps_start_lat`, `interviewer_1`).

use assess_household::STATUS_LABELS;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text (ids, names, notes); written and read as text.
    Text,
    /// A decimal number.
    Number,
    /// A whole number, 0 or more.
    Whole,
    /// `true` or `false`.
    Bool,
    /// One of a fixed list of values (a drop-down list in the template).
    Choice(&'static [Label]),
    /// An RFC 3339 date-time with offset.
    Time,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// Information from the draw for the team (pre-filled, locked); never read.
    Info,
}

impl Kind {
    /// Values a cell may hold, as the README sheet shows them.
    pub(crate) fn values(self) -> String {
        match self {
            Kind::Text => "text".to_string(),
            Kind::Number => "number".to_string(),
            Kind::Whole => "whole number".to_string(),
            Kind::Bool | Kind::Choice(_) => {
                let list = self.list().unwrap_or_default();
                let shown: Vec<String> = list
                    .iter()
                    .map(|l| format!("{} ({})", l.value, l.zh))
                    .collect();
                shown.join(" / ")
            }
            Kind::Time => "2020-06-12T09:30:00+08:00".to_string(),
            Kind::Date => "2009-03-14".to_string(),
            Kind::Info => "(information, not read)".to_string(),
        }
    }

    /// The drop-down list of the column, if it has one.
    pub(crate) fn list(self) -> Option<&'static [Label]> {
        match self {
            Kind::Bool => Some(BOOLS),
            Kind::Choice(list) => Some(list),
            _ => None,
        }
    }

    /// Cells are formatted as text in the template, so that Excel keeps ids, names and times
    /// as typed (no dates made of "1-2", no digits lost from long numbers).
    pub(crate) fn is_text(self) -> bool {
        matches!(
            self,
            Kind::Text | Kind::Time | Kind::Date | Kind::Bool | Kind::Choice(_) | Kind::Info
        )
    }
}

/// Whether a column must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Req {
    /// Always: the header must be present and every row's cell filled.
    Yes,
    /// Only in some cases, described.
    When(&'static str),
    /// Never: a blank cell means "not recorded".
    No,
}

impl Req {
    pub(crate) fn text(self) -> &'static str {
        match self {
            Req::Yes => "yes",
            Req::When(w) => w,
            Req::No => "no",
        }
    }
}

/// One column of a sheet.
#[derive(Debug)]
pub(crate) struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub req: Req,
    /// What it holds, in English.
    pub en: &'static str,
    /// The same in Chinese.
    pub zh: &'static str,
}

impl Column {
    /// Filled by a pre-filled template (and locked there): the ids of sheet `visits` and
    /// every information column.
    pub(crate) fn is_prefilled(&self) -> bool {
        self.kind == Kind::Info || matches!(self.name, "draw_id" | "household_id")
    }
}

/// One sheet of the template.
#[derive(Debug)]
pub(crate) struct SheetDef {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub columns: &'static [Column],
}

impl SheetDef {
    pub(crate) fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A listed value with its Chinese label: a cell may hold either, and a template written in
/// Chinese shows the labels in its drop-down lists. The labels are those the README sheet's
/// Chinese descriptions use (the register statuses' are `assess_household::STATUS_LABELS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Label {
    /// The JSON name.
    pub value: &'static str,
    /// The Chinese label.
    pub zh: &'static str,
}

const fn label(value: &'static str, zh: &'static str) -> Label {
    Label { value, zh }
}

/// Which words a template's drop-down lists show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListLanguage {
    /// The JSON names (`complete`, `male`, `true`): the default.
    #[default]
    English,
    /// The Chinese labels (`完成`, `男`, `是`).
    Chinese,
}

impl Label {
    /// The word a list in `language` shows.
    pub(crate) fn shown(&self, language: ListLanguage) -> &'static str {
        match language {
            ListLanguage::English => self.value,
            ListLanguage::Chinese => self.zh,
        }
    }

    /// Whether a cell's trimmed text names this value: its JSON name in any case, or its
    /// Chinese label.
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.value.eq_ignore_ascii_case(text) || self.zh == text
    }
}

/// The JSON names of a list, joined by `sep`.
pub(crate) fn values(list: &[Label], sep: &str) -> String {
    list.iter().map(|l| l.value).collect::<Vec<_>>().join(sep)
}

/// The Chinese labels of a list, joined by `sep`.
pub(crate) fn labels_zh(list: &[Label], sep: &str) -> String {
    list.iter().map(|l| l.zh).collect::<Vec<_>>().join(sep)
}

pub(crate) const BOOLS: &[Label] = &[label("true", "是"), label("false", "否")];
pub(crate) const DISPOSITIONS: &[Label] = &[
    label("complete", "完成"),
    label("partial", "部分完成"),
    label("refused", "拒访"),
    label("non_contact", "未能接触"),
    label("ineligible", "不属调查对象"),
    label("relocated", "易地扶贫搬迁"),
    label("eligibility_unknown", "无法确定"),
];
pub(crate) const INELIGIBLE_REASONS: &[Label] = &[
    label("dissolved", "户已消亡"),
    label("moved_out_of_county", "已迁出本县"),
    label("duplicate", "重复登记"),
];
pub(crate) const MODES: &[Label] = &[
    label("in_person", "入户面访"),
    label("phone", "电话"),
    label("proxy", "代答"),
];
pub(crate) const STATUSES: &[Label] = &[
    label("exited", STATUS_LABELS[0].1),
    label("poor", STATUS_LABELS[1].1),
    label("non_registered", STATUS_LABELS[2].1),
];
pub(crate) const SEXES: &[Label] = &[label("male", "男"), label("female", "女")];
pub(crate) const SCHOOLING: &[Label] = &[
    label("in_school", "在校"),
    label("home_teaching", "送教上门"),
    label("exempt_health", "因病不能就学"),
    label("out_of_school", "失学辍学"),
];
/// Component grades as the 2019 guideline writes them, a级 to d级.
pub(crate) const COMPONENT_GRADES: &[Label] = &[
    label("a", "a级"),
    label("b", "b级"),
    label("c", "c级"),
    label("d", "d级"),
    label("not_present", "无此构件"),
];
pub(crate) const HOUSE_GRADES: &[Label] = &[
    label("A", "A级"),
    label("B", "B级"),
    label("C", "C级"),
    label("D", "D级"),
];
pub(crate) const RENOVATIONS: &[Label] = &[
    label("none", "未处置"),
    label("reinforced", "加固"),
    label("rebuilt", "拆除重建"),
    label("relocated", "搬迁"),
];
pub(crate) const OPINIONS: &[Label] = &[
    label("satisfied", "满意"),
    label("basically_satisfied", "基本满意"),
    label("dissatisfied", "不满意"),
    label("dont_know", "不知道"),
];

const fn col(
    name: &'static str,
    kind: Kind,
    req: Req,
    en: &'static str,
    zh: &'static str,
) -> Column {
    Column {
        name,
        kind,
        req,
        en,
        zh,
    }
}

const HOUSEHOLD_ID: Column = col(
    "household_id",
    Kind::Text,
    Req::Yes,
    "The household's id, as in sheet visits: the row belongs to that household's visit.",
    "户编号，与 visits 表中的相同：本行属于该户的走访记录。",
);

pub(crate) const VISITS: SheetDef = SheetDef {
    name: "visits",
    en: "One row per household visited: what happened, how, who, when, where. A row whose \
         disposition and every column after it are blank is a household not visited (an unused \
         reserve) and is skipped.",
    zh: "每户走访一行：走访结果、方式、人员、时间、位置。走访结果及其后各列均为空的行视为未走访\
         （如未使用的备选户），导入时跳过。",
    columns: &[
        col(
            "draw_id",
            Kind::Text,
            Req::Yes,
            "The draw's id (sample_sha256 in its manifest.json; `assess draws` lists them). Pre-filled.",
            "抽样编号（manifest.json 中的 sample_sha256，可用 `assess draws` 查看）。已预填。",
        ),
        col(
            "household_id",
            Kind::Text,
            Req::Yes,
            "The household's id in the draw's sample.csv (a primary or a reserve). Pre-filled.",
            "样本户编号（抽样 sample.csv 中的户编号，主样本或备选户）。已预填。",
        ),
        col(
            "role",
            Kind::Info,
            Req::No,
            "primary or reserve. Information from the draw; not read.",
            "主样本（primary）或备选户（reserve）。抽样信息，导入时不读取。",
        ),
        col(
            "reserve_rank",
            Kind::Info,
            Req::No,
            "A reserve's rank: use the reserves of a village and stratum strictly in this order. Not read.",
            "备选顺序：同一村、同一户类别的备选户须严格按此顺序使用。导入时不读取。",
        ),
        col(
            "village_code",
            Kind::Info,
            Req::No,
            "The village's division code. Not read.",
            "行政村区划代码。导入时不读取。",
        ),
        col(
            "stratum",
            Kind::Info,
            Req::No,
            "The household's stratum in the draw: exited, poor or non_registered. Not read.",
            "抽样户类别：exited 已脱贫户、poor 未脱贫户、non_registered 非建档立卡户。导入时不读取。",
        ),
        col(
            "head_name",
            Kind::Info,
            Req::No,
            "The household head's name, from the register (when it has the column). Not read.",
            "户主姓名（登记册中有此列时）。导入时不读取。",
        ),
        col(
            "group",
            Kind::Info,
            Req::No,
            "The villager group (村民小组), from the register. Not read.",
            "村民小组（登记册中有此列时）。导入时不读取。",
        ),
        col(
            "address",
            Kind::Info,
            Req::No,
            "Address or house number, from the register. Not read.",
            "地址或门牌号（登记册中有此列时）。导入时不读取。",
        ),
        col(
            "phone",
            Kind::Info,
            Req::No,
            "Telephone number, from the register. Not read.",
            "联系电话（登记册中有此列时）。导入时不读取。",
        ),
        col(
            "disposition",
            Kind::Choice(DISPOSITIONS),
            Req::Yes,
            "What happened: complete, partial, refused, non_contact, ineligible (give \
             ineligible_reason), relocated (moved by the relocation programme, followed to the \
             resettlement site, never replaced), eligibility_unknown. Blank for a household not visited.",
            "走访结果：complete 完成、partial 部分完成、refused 拒访、non_contact 未能接触、\
             ineligible 不属调查对象（须填 ineligible_reason）、relocated 易地扶贫搬迁（到安置点走访，\
             不替换）、eligibility_unknown 无法确定。未走访的户留空。",
        ),
        col(
            "ineligible_reason",
            Kind::Choice(INELIGIBLE_REASONS),
            Req::When("if ineligible"),
            "Why the household is ineligible: dissolved, moved_out_of_county or duplicate. Only with disposition ineligible.",
            "不属调查对象的原因：dissolved 户已消亡、moved_out_of_county 已迁出本县、duplicate 重复登记。\
             仅在走访结果为 ineligible 时填写。",
        ),
        col(
            "mode",
            Kind::Choice(MODES),
            Req::When("complete, partial"),
            "How the interview was held: in_person, phone, or proxy (someone answering for a household working away).",
            "访问方式：in_person 入户面访、phone 电话、proxy 代答（外出务工户由他人代答）。",
        ),
        col(
            "team",
            Kind::Text,
            Req::Yes,
            "The field team.",
            "核查组。",
        ),
        col(
            "interviewer_1",
            Kind::Text,
            Req::Yes,
            "The first of the two interviewers.",
            "第一名调查员姓名。",
        ),
        col(
            "interviewer_2",
            Kind::Text,
            Req::Yes,
            "The second interviewer (a different person).",
            "第二名调查员姓名（须为另一人）。",
        ),
        col(
            "start",
            Kind::Time,
            Req::Yes,
            "Start of the visit, RFC 3339 with offset, e.g. 2020-06-12T09:30:00+08:00. An Excel \
             date-time cell is read as Beijing time (+08:00).",
            "走访开始时间，RFC 3339 格式并带时区，如 2020-06-12T09:30:00+08:00。Excel 日期时间单元格按北京时间（+08:00）读取。",
        ),
        col(
            "end",
            Kind::Time,
            Req::Yes,
            "End of the visit, same form; not before the start.",
            "走访结束时间，格式同上；不得早于开始时间。",
        ),
        col(
            "gps_start_lat",
            Kind::Number,
            Req::No,
            "GPS latitude at the start, WGS-84 degrees as the phone gives them.",
            "开始时 GPS 纬度（WGS-84，手机原始读数）。",
        ),
        col(
            "gps_start_lon",
            Kind::Number,
            Req::No,
            "GPS longitude at the start (give both or neither).",
            "开始时 GPS 经度（经纬度须同时填写或同时留空）。",
        ),
        col(
            "gps_end_lat",
            Kind::Number,
            Req::No,
            "GPS latitude at the end.",
            "结束时 GPS 纬度。",
        ),
        col(
            "gps_end_lon",
            Kind::Number,
            Req::No,
            "GPS longitude at the end.",
            "结束时 GPS 经度。",
        ),
    ],
};

pub(crate) const HOUSEHOLD: SheetDef = SheetDef {
    name: "household",
    en: "One row per household interviewed (complete or partial; optional for relocated): \
         status, income by source, food and clothing. No row for a non-interview.",
    zh: "每个完成（或部分完成）访问的户一行（易地搬迁户可选）：户类别、分项收入、吃穿情况。未访问成功的户不填。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "status",
            Kind::Choice(STATUSES),
            Req::Yes,
            "Register status at the visit: exited, poor or non_registered.",
            "走访时的建档立卡状态：exited 已脱贫、poor 未脱贫、non_registered 非建档立卡。",
        ),
        col(
            "register_members",
            Kind::Whole,
            Req::No,
            "Members in the register, when known.",
            "建档立卡登记人口数（如已知）。",
        ),
        col(
            "income_year",
            Kind::Whole,
            Req::Yes,
            "The year the income refers to (its poverty line applies), e.g. 2019.",
            "收入所属年度（按该年度贫困线判断），如 2019。",
        ),
        col(
            "wages",
            Kind::Number,
            Req::No,
            "Net income of the whole household in the income year, yuan: wages and salaries.",
            "全户收入年度纯收入（元）：工资性收入。",
        ),
        col(
            "business_net",
            Kind::Number,
            Req::No,
            "Net business income after production costs (may be negative).",
            "家庭经营净收入（扣除生产成本，可为负数）。",
        ),
        col(
            "property",
            Kind::Number,
            Req::No,
            "Property income (rent, land transfer, dividends).",
            "财产性收入（租金、土地流转、分红）。",
        ),
        col(
            "transfers",
            Kind::Number,
            Req::No,
            "Transfer income (pensions, subsidies, minimum living allowance, remittances).",
            "转移性收入（养老金、补贴、低保金、汇款）。",
        ),
        col(
            "in_kind",
            Kind::Number,
            Req::No,
            "Own-produced goods consumed, valued in yuan.",
            "自产自用实物折价收入（元）。",
        ),
        col(
            "income_per_person_stated",
            Kind::Number,
            Req::No,
            "Net income per person as stated on the household's card (明白卡) or by the household.",
            "明白卡上或农户自报的人均纯收入（元）。",
        ),
        col(
            "food_adequate",
            Kind::Bool,
            Req::No,
            "Stable, sufficient food.",
            "不愁吃：口粮稳定充足。",
        ),
        col(
            "clothing_adequate",
            Kind::Bool,
            Req::No,
            "Clothes and bedding for all four seasons.",
            "不愁穿：四季有换洗衣物和被褥。",
        ),
        col(
            "protein_available",
            Kind::Bool,
            Req::No,
            "Protein (meat, eggs, milk or soy) available.",
            "能吃上肉、蛋、奶或豆制品。",
        ),
    ],
};

pub(crate) const MEMBERS: SheetDef = SheetDef {
    name: "members",
    en: "One row per member found at the visit (the verified roster), in the household's order.",
    zh: "走访核实的家庭成员，每人一行，按户内顺序填写。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "member_id",
            Kind::Text,
            Req::Yes,
            "How the inspector identifies the member (1, 2, ... or a name); used in reasons.",
            "成员编号（1、2……或姓名），用于判定理由中。",
        ),
        col(
            "birth_date",
            Kind::Date,
            Req::No,
            "Date of birth, e.g. 2009-03-14: gives the exact age at the reference date.",
            "出生日期，如 2009-03-14：据此计算基准日年龄。",
        ),
        col(
            "age",
            Kind::Whole,
            Req::No,
            "Age in years as stated, used when no birth date is known.",
            "自报年龄（周岁），无出生日期时使用。",
        ),
        col(
            "sex",
            Kind::Choice(SEXES),
            Req::No,
            "male or female.",
            "性别：male 男、female 女。",
        ),
        col(
            "schooling",
            Kind::Choice(SCHOOLING),
            Req::When("ages 6-15"),
            "For a child of compulsory-school age: in_school, home_teaching (送教上门), \
             exempt_health (unable to study for health reasons) or out_of_school.",
            "义务教育阶段儿童：in_school 在校、home_teaching 送教上门、exempt_health 因病不能就学、out_of_school 失学辍学。",
        ),
        col(
            "basic_medical_insurance",
            Kind::Bool,
            Req::No,
            "Covered by basic medical insurance (基本医疗保险).",
            "参加基本医疗保险。",
        ),
        col(
            "serious_illness_insurance",
            Kind::Bool,
            Req::No,
            "Covered by serious-illness insurance (大病保险).",
            "享受大病保险。",
        ),
        col(
            "medical_assistance",
            Kind::Bool,
            Req::No,
            "Covered by medical assistance (医疗救助).",
            "享受医疗救助。",
        ),
        col(
            "id_number",
            Kind::Text,
            Req::No,
            "Resident identity number (18 characters), only where a cross-check needs it; stored \
             with the record, never printed in full.",
            "居民身份证号码（18 位），仅在需要比对时填写；随记录保存，任何报告中都不完整显示。",
        ),
    ],
};

pub(crate) const HOUSING: SheetDef = SheetDef {
    name: "housing",
    en: "One row per household interviewed: housing safety as found (2019 guideline grades).",
    zh: "每个访问成功的户一行：住房安全情况（按 2019 年鉴定技术导则评级）。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "site_dangerous",
            Kind::Bool,
            Req::No,
            "The site is dangerous (the house is then grade D).",
            "场地危险（房屋直接评为 D 级）。",
        ),
        col(
            "load_bearing_walls",
            Kind::Choice(COMPONENT_GRADES),
            Req::No,
            "Grade of the load-bearing walls: a (best) to d, or not_present.",
            "承重墙等级：a（最好）至 d，或 not_present（无此构件）。",
        ),
        col(
            "foundation",
            Kind::Choice(COMPONENT_GRADES),
            Req::No,
            "Grade of the foundation.",
            "地基基础等级。",
        ),
        col(
            "roof_truss",
            Kind::Choice(COMPONENT_GRADES),
            Req::No,
            "Grade of the roof truss.",
            "屋架等级。",
        ),
        col(
            "wood_members",
            Kind::Choice(COMPONENT_GRADES),
            Req::No,
            "Grade of the wood members.",
            "木构件等级。",
        ),
        col(
            "inspector_grade",
            Kind::Choice(HOUSE_GRADES),
            Req::No,
            "The inspector's own whole-house grade, A to D.",
            "核查人员评定的房屋整体等级，A 至 D。",
        ),
        col(
            "renovation",
            Kind::Choice(RENOVATIONS),
            Req::No,
            "What was done about an unsafe house: none, reinforced, rebuilt or relocated.",
            "危房处置：none 未处置、reinforced 加固、rebuilt 拆除重建、relocated 搬迁。",
        ),
    ],
};

pub(crate) const WATER: SheetDef = SheetDef {
    name: "water",
    en: "One row per household interviewed: drinking water as found.",
    zh: "每个访问成功的户一行：饮水安全情况。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "litres_per_person_day",
            Kind::Number,
            Req::No,
            "Litres per person per day.",
            "人均日用水量（升）。",
        ),
        col(
            "water_scarce_area",
            Kind::Bool,
            Req::No,
            "The household is in a water-scarce area.",
            "是否属于严重缺水地区。",
        ),
        col(
            "piped_to_yard",
            Kind::Bool,
            Req::No,
            "Water is piped to the yard.",
            "自来水入户（到院）。",
        ),
        col(
            "fetch_minutes",
            Kind::Number,
            Req::No,
            "Minutes one fetch takes (round trip).",
            "单次取水往返时间（分钟）。",
        ),
        col(
            "horizontal_m",
            Kind::Number,
            Req::No,
            "Horizontal distance to the source, metres.",
            "到取水点水平距离（米）。",
        ),
        col(
            "vertical_m",
            Kind::Number,
            Req::No,
            "Vertical distance to the source, metres.",
            "到取水点垂直高差（米）。",
        ),
        col(
            "outage_days",
            Kind::Whole,
            Req::No,
            "Days of outage in a year.",
            "一年内停水天数。",
        ),
        col(
            "quality_ok",
            Kind::Bool,
            Req::No,
            "Quality meets the local standard.",
            "水质符合当地标准。",
        ),
    ],
};

pub(crate) const APPROVAL: SheetDef = SheetDef {
    name: "approval",
    en: "One row per household asked the approval questions (群众认可度); no row when not asked. \
         A blank answer is a question not asked; dont_know is an answer.",
    zh: "询问了群众认可度问题的户每户一行；未询问的户不填。空白表示该题未问；dont_know（不知道/说不清）是一种回答。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "exit",
            Kind::Choice(OPINIONS),
            Req::No,
            "The household's exit from poverty (for others, the village's exit work): \
             satisfied, basically_satisfied, dissatisfied or dont_know.",
            "对本户脱贫（非贫困户：对本村脱贫工作）的评价：satisfied 满意、basically_satisfied 基本满意、\
             dissatisfied 不满意、dont_know 不知道。",
        ),
        col(
            "policies",
            Kind::Choice(OPINIONS),
            Req::No,
            "The poverty-alleviation policies.",
            "对扶贫政策的评价。",
        ),
        col(
            "help_received",
            Kind::Choice(OPINIONS),
            Req::No,
            "The help the household received.",
            "对所获帮扶的评价。",
        ),
        col(
            "cadres_work",
            Kind::Choice(OPINIONS),
            Req::No,
            "The work of the village cadres and the resident team.",
            "对村干部和驻村工作队工作的评价。",
        ),
    ],
};

pub(crate) const IDENTIFICATION: SheetDef = SheetDef {
    name: "identification",
    en: "For registered households asked the identification questions: one row each; no row when not asked.",
    zh: "建档立卡户识别准确性问题：询问了的户每户一行；未询问的不填。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "owns_vehicle",
            Kind::Bool,
            Req::No,
            "The household owns a vehicle (other than a farm vehicle or motorcycle).",
            "家庭拥有汽车（农用车、摩托车除外）。",
        ),
        col(
            "vehicle_value_yuan",
            Kind::Number,
            Req::No,
            "Its value in yuan, when one is owned.",
            "车辆价值（元）。",
        ),
        col(
            "urban_flat_or_shop",
            Kind::Bool,
            Req::No,
            "Owns a flat or a shop in a town or city.",
            "在城镇拥有住房或商铺。",
        ),
        col(
            "registered_company",
            Kind::Bool,
            Req::No,
            "A member runs a registered company.",
            "家庭成员开办注册公司。",
        ),
        col(
            "public_payroll",
            Kind::Bool,
            Req::No,
            "A member or a close relative is on the public payroll.",
            "家庭成员或直系亲属为财政供养人员。",
        ),
        col(
            "village_cadre",
            Kind::Bool,
            Req::No,
            "A member is a village cadre.",
            "家庭成员为村干部。",
        ),
    ],
};

pub(crate) const NOTES: SheetDef = SheetDef {
    name: "notes",
    en: "Notes answering warnings of `assess check`: one row per note, any number per household.",
    zh: "对 `assess check` 警告的说明：每条说明一行，每户可有多条。",
    columns: &[
        HOUSEHOLD_ID,
        col(
            "rule",
            Kind::Text,
            Req::Yes,
            "The rule the note answers, as `assess check` prints it (e.g. short-interview).",
            "说明所针对的规则，与 `assess check` 输出一致（如 short-interview）。",
        ),
        col(
            "text",
            Kind::Text,
            Req::Yes,
            "What happened: why the warning does not call for a correction.",
            "情况说明：为何该警告无需更正。",
        ),
    ],
};

/// Every data sheet, in the workbook's order.
pub(crate) const SHEETS: [&SheetDef; 8] = [
    &VISITS,
    &HOUSEHOLD,
    &MEMBERS,
    &HOUSING,
    &WATER,
    &APPROVAL,
    &IDENTIFICATION,
    &NOTES,
];

/// The sheet explaining every column; ignored when reading.
pub(crate) const README: &str = "README";

#[cfg(test)]
mod tests {
    use super::*;
    use assess_household::Status;
    use assess_inspection::{
        Disposition, IneligibleReason, InterviewMode, Opinion, Renovation, Schooling, Sex,
    };
    use assess_standards::{ComponentGrade, HouseGrade};
    use serde::de::DeserializeOwned;

    fn all_parse<T: DeserializeOwned>(list: &[Label]) {
        for v in list {
            serde_json::from_value::<T>(serde_json::Value::String(v.value.to_string()))
                .unwrap_or_else(|e| panic!("{}: {e}", v.value));
        }
    }

    #[test]
    fn every_choice_is_a_value_of_its_type() {
        let plain: Vec<Label> = DISPOSITIONS
            .iter()
            .copied()
            .filter(|d| d.value != "ineligible")
            .collect();
        all_parse::<Disposition>(&plain);
        all_parse::<IneligibleReason>(INELIGIBLE_REASONS);
        all_parse::<InterviewMode>(MODES);
        all_parse::<Status>(STATUSES);
        all_parse::<Sex>(SEXES);
        all_parse::<Schooling>(SCHOOLING);
        all_parse::<ComponentGrade>(COMPONENT_GRADES);
        all_parse::<HouseGrade>(HOUSE_GRADES);
        all_parse::<Renovation>(RENOVATIONS);
        all_parse::<Opinion>(OPINIONS);
    }

    #[test]
    fn labels_are_unique_in_their_list_and_say_what_the_readme_says() {
        for sheet in SHEETS {
            for c in sheet.columns {
                let Some(list) = c.kind.list() else { continue };
                for (i, l) in list.iter().enumerate() {
                    let same = |m: &Label| m.matches(l.value) || m.matches(l.zh);
                    assert!(!list[i + 1..].iter().any(same), "{}: {l:?}", c.name);
                    // A Chinese description that lists the values names each with its label.
                    let lists_values = list[0].value.len() > 1 && c.zh.contains(list[0].value);
                    let named = format!("{} {}", l.value, l.zh);
                    assert!(
                        !lists_values || c.zh.contains(&named),
                        "{}: {named}",
                        c.name
                    );
                }
            }
        }
        for (status, zh) in STATUS_LABELS {
            assert!(STATUSES.contains(&label(status.as_str(), zh)));
        }
    }

    #[test]
    fn names_are_unique_and_lists_fit_excel() {
        for sheet in SHEETS {
            let mut names: Vec<&str> = sheet.columns.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), sheet.columns.len(), "{}", sheet.name);
            let first = if sheet.name == "visits" {
                "draw_id"
            } else {
                "household_id"
            };
            assert_eq!(sheet.columns[0].name, first);
            for c in sheet.columns {
                if let Some(list) = c.kind.list() {
                    assert!(values(list, ",").len() < 255, "{}", c.name);
                    assert!(labels_zh(list, ",").chars().count() < 255, "{}", c.name);
                }
            }
        }
    }
}
