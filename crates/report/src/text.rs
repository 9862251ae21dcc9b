//! Every word the reports print, in English and Chinese, and the sentences built from a
//! verdict's structured fields (the verdict crate's own sentences are English only).
//!
//! One [`Words`] value per language: a label missing in one language is a compile error, not
//! an English word left in a Chinese report.

use assess_verdict::{Driver, Indicator, Reading, Verdict};
use std::collections::BTreeMap;

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Lang {
    /// English (default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub(crate) fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "zh" | "zh-cn" | "cn" => Ok(Lang::Zh),
            other => Err(format!("unknown report language {other:?}: use en or zh")),
        }
    }
}

/// The labels of one language.
pub(crate) struct Words {
    /// ": " or "：".
    pub colon: &'static str,
    pub title: &'static str,
    pub county: &'static str,
    pub decision: &'static str,
    pub approve: &'static str,
    pub defer: &'static str,
    pub undecided: &'static str,
    pub decision_rule: &'static str,
    pub official_basis: &'static str,
    pub design_basis: &'static str,
    // Indicator names.
    pub poverty_incidence: &'static str,
    pub wrong_exit_rate: &'static str,
    pub missed_rate: &'static str,
    pub approval_rate: &'static str,
    // Indicator table.
    pub indicators: &'static str,
    pub estimation_details: &'static str,
    pub indicator: &'static str,
    pub official: &'static str,
    pub design: &'static str,
    pub estimate: &'static str,
    pub interval: &'static str,
    pub lci: &'static str,
    pub uci: &'static str,
    pub upper_bound: &'static str,
    pub lower_bound: &'static str,
    pub threshold: &'static str,
    pub result: &'static str,
    pub pass: &'static str,
    pub fail: &'static str,
    pub reading: &'static str,
    pub passes_with_confidence: &'static str,
    pub fails_with_confidence: &'static str,
    pub inconclusive: &'static str,
    pub largest_confidence: &'static str,
    pub below: &'static str,
    pub at_or_above: &'static str,
    pub none: &'static str,
    pub se: &'static str,
    pub df: &'static str,
    pub deff: &'static str,
    pub not_estimable: &'static str,
    pub weighting_effect: &'static str,
    pub households: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
    pub unknown: &'static str,
    pub if_none_fail: &'static str,
    pub if_all_fail: &'static str,
    pub small_df: &'static str,
    pub no_interval: &'static str,
    pub chart_legend: &'static str,
    // Reasons and drivers.
    pub reasons: &'static str,
    pub drivers: &'static str,
    pub no_drivers: &'static str,
    pub standard: &'static str,
    pub people: &'static str,
    pub villages: &'static str,
    pub townships: &'static str,
    pub village_strata: &'static str,
    pub domains: &'static str,
    pub domain: &'static str,
    pub level: &'static str,
    pub team: &'static str,
    pub interviewers: &'static str,
    // Failing households.
    pub failing_households: &'static str,
    pub failing_note: &'static str,
    pub no_failing: &'static str,
    pub household: &'static str,
    pub register_status: &'static str,
    pub township: &'static str,
    pub village: &'static str,
    pub village_stratum: &'static str,
    pub register_stratum: &'static str,
    pub standards_failed: &'static str,
    pub finding: &'static str,
    pub wrong_exit: &'static str,
    pub missed: &'static str,
    // Identification flags.
    pub identification_flags: &'static str,
    pub identification_note: &'static str,
    pub no_flags: &'static str,
    pub flagged_households: &'static str,
    pub flag: &'static str,
    pub vehicle_value: &'static str,
    pub vehicle_limit: &'static str,
    pub not_recorded: &'static str,
    pub identity_numbers: &'static str,
    // Counts.
    pub response: &'static str,
    pub sampled: &'static str,
    pub primaries: &'static str,
    pub visited: &'static str,
    pub reserves_used: &'static str,
    pub ineligible: &'static str,
    pub interviewed: &'static str,
    pub weighted: &'static str,
    pub response_rate: &'static str,
    pub replacement_rate: &'static str,
    pub collapsed_township: &'static str,
    pub collapsed_county: &'static str,
    pub strata_without_respondents: &'static str,
    pub rates_by_group: &'static str,
    pub response_rate_note: &'static str,
    pub unit: &'static str,
    // Appeals.
    pub appeals: &'static str,
    pub before_appeals: &'static str,
    pub after_appeals: &'static str,
    pub appeals_stage: &'static str,
    pub pending_appeals: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub changed: &'static str,
    // Villages and map.
    pub sampled_villages: &'static str,
    pub map: &'static str,
    pub map_note: &'static str,
    pub no_centres: &'static str,
    pub no_boundary: &'static str,
    pub findings_none: &'static str,
    pub findings_wrong: &'static str,
    pub findings_missed: &'static str,
    pub findings_both: &'static str,
    pub size_note: &'static str,
    pub longitude: &'static str,
    pub latitude: &'static str,
    pub wrong_exits: &'static str,
    pub missed_households: &'static str,
    pub name: &'static str,
    pub code: &'static str,
    // Provenance and settings.
    pub provenance: &'static str,
    pub sample_sha256: &'static str,
    pub records_sha256: &'static str,
    pub records: &'static str,
    pub standards_version: &'static str,
    pub frame_fingerprint: &'static str,
    pub tool_version: &'static str,
    pub thresholds_source: &'static str,
    pub settings: &'static str,
    pub value: &'static str,
    pub rate_basis: &'static str,
    pub approval_definition: &'static str,
    pub all_questions: &'static str,
    pub score_at_least: &'static str,
    pub dont_know: &'static str,
    pub dont_know_exclude: &'static str,
    pub dont_know_not_approving: &'static str,
    pub confidence: &'static str,
    pub ci_method: &'static str,
    pub lonely_psu: &'static str,
    pub rural_population: &'static str,
    pub from_register: &'static str,
    pub missed_denominator: &'static str,
    pub missed_over_households: &'static str,
    pub missed_over_villages: &'static str,
    pub variance_method: &'static str,
    pub with_replacement: &'static str,
    pub without_replacement: &'static str,
    pub summary: &'static str,
    pub item: &'static str,
    pub footer: &'static str,
    // Sentences.
    pub every_passes: &'static str,
}

pub(crate) static EN: Words = Words {
    colon: ": ",
    title: "Poverty-exit assessment: verdict",
    county: "County",
    decision: "Decision",
    approve: "Approve the exit",
    defer: "Defer the exit",
    undecided: "Not decided: an indicator cannot be estimated from this sample",
    decision_rule: "Decision rule: each indicator's value (the basis below) against its threshold; the intervals are design-based intervals of that value.",
    official_basis: "official (unweighted sample ratio)",
    design_basis: "design-based (weighted estimate)",
    poverty_incidence: "Comprehensive poverty incidence",
    wrong_exit_rate: "Wrong-exit rate",
    missed_rate: "Missed-assessment rate",
    approval_rate: "Public approval",
    indicators: "Indicators",
    estimation_details: "Estimation details",
    indicator: "Indicator",
    official: "Official",
    design: "Design-based",
    estimate: "Decision value",
    interval: "Interval",
    lci: "Lower limit",
    uci: "Upper limit",
    upper_bound: "One-sided upper bound",
    lower_bound: "One-sided lower bound",
    threshold: "Threshold",
    result: "Result",
    pass: "pass",
    fail: "FAIL",
    reading: "Statistical reading",
    passes_with_confidence: "passes with confidence",
    fails_with_confidence: "fails with confidence",
    inconclusive: "inconclusive",
    largest_confidence: "Largest confidence excluding the threshold",
    below: "below",
    at_or_above: "at or above",
    none: "none",
    se: "SE",
    df: "df",
    deff: "Design effect",
    not_estimable: "not estimable (nothing found: 0 / 0)",
    weighting_effect: "Weighting effect (Kish)",
    households: "Households",
    numerator: "Numerator",
    denominator: "Denominator",
    unknown: "Unknown findings",
    if_none_fail: "If no non-respondent failed",
    if_all_fail: "If every non-respondent failed",
    small_df: "fewer than 8 degrees of freedom: estimate only, no interval",
    no_interval: "none (too few degrees of freedom)",
    chart_legend: "Bar: the design-based interval of the value the decision uses; dot: design-based estimate; triangle: official value; red line: threshold; shaded: the passing side.",
    reasons: "Reasons",
    drivers: "What drove the failing rates",
    no_drivers: "No household was found wrongly exited or missed.",
    standard: "Standard",
    people: "People",
    villages: "Villages",
    townships: "Townships (households)",
    village_strata: "Village strata (households)",
    domains: "Rates by domain",
    domain: "Domain",
    level: "Level",
    team: "Team",
    interviewers: "Interviewers",
    failing_households: "Households found wrongly exited or missed",
    failing_note: "The list the county may contest with evidence (review and appeal: `assess finding`).",
    no_failing: "None.",
    household: "Household",
    register_status: "Register status",
    township: "Township",
    village: "Village",
    village_stratum: "Village stratum",
    register_stratum: "Register status",
    standards_failed: "Standards failed",
    finding: "Finding",
    wrong_exit: "wrongly exited",
    missed: "missed",
    identification_flags: "Identification flags",
    identification_note: "Households whose answers typical local rules treat as grounds for removal from the register (a vehicle worth more than the standards' limit, a flat or shop in a town or city, a registered company, the public payroll, a village cadre): leads for the county to re-examine their identification. They enter none of the four rates. Identity numbers are masked.",
    no_flags: "None.",
    flagged_households: "Households with identification flags (not in the rates)",
    flag: "Flag",
    vehicle_value: "Vehicle value (yuan)",
    vehicle_limit: "Standards' limit (yuan)",
    not_recorded: "not recorded",
    identity_numbers: "Identity numbers (masked)",
    response: "Response and replacement",
    sampled: "Households in the sample (primaries and reserves)",
    primaries: "Primaries",
    visited: "Visited",
    reserves_used: "Reserves used",
    ineligible: "Ineligible",
    interviewed: "Interviewed",
    weighted: "Interviewed with a weight",
    response_rate: "Response rate",
    replacement_rate: "Replacement rate",
    collapsed_township: "Cells collapsed into township × stratum",
    collapsed_county: "Cells collapsed into the county stratum",
    strata_without_respondents: "Strata without respondents",
    rates_by_group: "Response and replacement by village and team",
    response_rate_note: "Response rate = interviewed ÷ (visited − ineligible); replacement rate = reserves used ÷ primaries (for a team, the primaries it visited).",
    unit: "By",
    appeals: "Before and after the appeals",
    before_appeals: "Before appeals",
    after_appeals: "After appeals",
    appeals_stage: "Records as of",
    pending_appeals: "Appeals not yet decided",
    before: "before the appeals",
    after: "after the appeals",
    changed: "Changed",
    sampled_villages: "Sampled villages",
    map: "Map of the sampled villages",
    map_note: "Village centres (WGS-84) shifted to GCJ-02 to match the county boundary (Alibaba DataV); equirectangular projection scaled by cos(latitude).",
    no_centres: "No village centre is stored for this draw: import the draw with its village file to draw the map.",
    no_boundary: "No embedded boundary for this county: the villages are drawn without it.",
    findings_none: "no wrong exit or missed household",
    findings_wrong: "wrong exits",
    findings_missed: "missed households",
    findings_both: "wrong exits and missed households",
    size_note: "circle area: households interviewed",
    longitude: "Longitude",
    latitude: "Latitude",
    wrong_exits: "Wrong exits",
    missed_households: "Missed",
    name: "Name",
    code: "Code",
    provenance: "Provenance",
    sample_sha256: "Draw (sample.csv SHA-256)",
    records_sha256: "Records used (SHA-256)",
    records: "Records",
    standards_version: "Standards version",
    frame_fingerprint: "Register fingerprint",
    tool_version: "Tool version",
    thresholds_source: "Thresholds source",
    settings: "Settings",
    value: "Value",
    rate_basis: "Rate basis of the decision",
    approval_definition: "Approving household",
    all_questions: "satisfied or basically satisfied on every question answered",
    score_at_least: "satisfied or basically satisfied on at least this share of the questions",
    dont_know: "\"Don't know\" answers",
    dont_know_exclude: "left out",
    dont_know_not_approving: "counted as not approving",
    confidence: "Confidence level",
    ci_method: "Interval method",
    lonely_psu: "Stratum with a single village",
    rural_population: "Rural population (incidence denominator)",
    from_register: "from the register",
    missed_denominator: "Missed-rate denominator",
    missed_over_households: "people of the sampled non-registered households",
    missed_over_villages: "non-registered people of the sampled villages (register)",
    variance_method: "Variance at the village stage",
    with_replacement: "with replacement (ultimate clusters)",
    without_replacement: "without replacement (finite-population corrections and the within-village term)",
    summary: "Summary",
    item: "Item",
    footer: "Made by assess from verdict.json; the numbers are those of the JSON file.",
    every_passes: "Every indicator passes its threshold.",
};

pub(crate) static ZH: Words = Words {
    colon: "：",
    title: "贫困县退出评估：结论",
    county: "县",
    decision: "结论",
    approve: "同意退出",
    defer: "暂缓退出",
    undecided: "无法判定：本样本无法估计某项指标",
    decision_rule: "判定规则：各项指标的取值（口径见下）与其标准比较；置信区间为该取值按抽样设计计算的区间。",
    official_basis: "官方口径（样本不加权比率）",
    design_basis: "设计口径（加权估计）",
    poverty_incidence: "综合贫困发生率",
    wrong_exit_rate: "错退率",
    missed_rate: "漏评率",
    approval_rate: "群众认可度",
    indicators: "指标",
    estimation_details: "估计细节",
    indicator: "指标",
    official: "官方口径",
    design: "设计口径",
    estimate: "判定取值",
    interval: "置信区间",
    lci: "下限",
    uci: "上限",
    upper_bound: "单侧上界",
    lower_bound: "单侧下界",
    threshold: "标准",
    result: "结果",
    pass: "达标",
    fail: "未达标",
    reading: "统计判断",
    passes_with_confidence: "有把握达标",
    fails_with_confidence: "有把握未达标",
    inconclusive: "不能确定",
    largest_confidence: "排除标准值的最高置信水平",
    below: "低于标准",
    at_or_above: "不低于标准",
    none: "无",
    se: "标准误",
    df: "自由度",
    deff: "设计效应",
    not_estimable: "无法估计（未发现：0 / 0）",
    weighting_effect: "权数效应（Kish）",
    households: "户数",
    numerator: "分子",
    denominator: "分母",
    unknown: "无法判定的户",
    if_none_fail: "若未访户均不失格",
    if_all_fail: "若未访户均失格",
    small_df: "自由度少于 8：仅给估计值，不给区间",
    no_interval: "无（自由度过少）",
    chart_legend: "横条：判定所用取值按抽样设计计算的置信区间；圆点：设计口径估计；三角：官方口径取值；红线：标准；阴影：达标一侧。",
    reasons: "理由",
    drivers: "未达标比率的成因",
    no_drivers: "未发现错退或漏评户。",
    standard: "标准",
    people: "人数",
    villages: "村数",
    townships: "乡镇（户数）",
    village_strata: "村类别（户数）",
    domains: "分组比率",
    domain: "分组",
    level: "组别",
    team: "调查组",
    interviewers: "调查员",
    failing_households: "错退、漏评户名单",
    failing_note: "县可凭证据申诉的名单（复核与申诉：`assess finding`）。",
    no_failing: "无。",
    household: "户编号",
    register_status: "建档状态",
    township: "乡镇",
    village: "村",
    village_stratum: "村类别",
    register_stratum: "建档立卡类别",
    standards_failed: "未达到的标准",
    finding: "认定",
    wrong_exit: "错退",
    missed: "漏评",
    identification_flags: "精准识别疑点",
    identification_note: "按各地常见规定可作为退出建档立卡依据的情形（车辆价值高于标准限值、在城镇拥有住房或商铺、开办注册公司、财政供养人员、村干部）：供县复核这些户的精准识别，不计入四项指标。身份证号已隐去中间部分。",
    no_flags: "无。",
    flagged_households: "有识别疑点的户（不计入指标）",
    flag: "疑点",
    vehicle_value: "车辆价值（元）",
    vehicle_limit: "标准限值（元）",
    not_recorded: "未记录",
    identity_numbers: "身份证号（已隐去）",
    response: "应答与替换",
    sampled: "样本户（含主样本与备选）",
    primaries: "主样本户",
    visited: "已走访",
    reserves_used: "启用备选户",
    ineligible: "不符合调查条件",
    interviewed: "完成访问",
    weighted: "有权数的完成访问户",
    response_rate: "应答率",
    replacement_rate: "替换率",
    collapsed_township: "并入乡镇×层的单元",
    collapsed_county: "并入县层的单元",
    strata_without_respondents: "无应答户的层",
    rates_by_group: "分村、分调查组的应答与替换",
    response_rate_note: "应答率 = 受访户 ÷（走访户 − 不合格户）；替换率 = 启用备选户 ÷ 主样本户（调查组按其走访的主样本户计）。",
    unit: "单位",
    appeals: "申诉前后",
    before_appeals: "申诉前",
    after_appeals: "申诉后",
    appeals_stage: "记录时点",
    pending_appeals: "尚未裁决的申诉",
    before: "申诉前",
    after: "申诉后",
    changed: "有变化",
    sampled_villages: "样本村",
    map: "样本村分布图",
    map_note: "村中心点（WGS-84）已转换为 GCJ-02，与县界（阿里云 DataV）一致；等距圆柱投影，经度按纬度余弦缩放。",
    no_centres: "本次抽样未存村中心点：导入抽样时一并导入村文件后即可绘图。",
    no_boundary: "未内置本县边界：仅绘制样本村。",
    findings_none: "无错退、漏评",
    findings_wrong: "有错退",
    findings_missed: "有漏评",
    findings_both: "错退和漏评均有",
    size_note: "圆面积：完成访问户数",
    longitude: "经度",
    latitude: "纬度",
    wrong_exits: "错退户",
    missed_households: "漏评户",
    name: "名称",
    code: "代码",
    provenance: "数据来源",
    sample_sha256: "抽样（sample.csv SHA-256）",
    records_sha256: "所用记录（SHA-256）",
    records: "记录数",
    standards_version: "标准版本",
    frame_fingerprint: "建档名册指纹",
    tool_version: "工具版本",
    thresholds_source: "标准来源",
    settings: "设置",
    value: "取值",
    rate_basis: "判定所用口径",
    approval_definition: "认可户的定义",
    all_questions: "所答各题均为满意或基本满意",
    score_at_least: "满意或基本满意的题目占比不低于",
    dont_know: "“不知道”的回答",
    dont_know_exclude: "不计入",
    dont_know_not_approving: "计为不认可",
    confidence: "置信水平",
    ci_method: "区间方法",
    lonely_psu: "仅含一个村的层",
    rural_population: "农村人口（发生率分母）",
    from_register: "取自建档名册",
    missed_denominator: "漏评率分母",
    missed_over_households: "抽中非建档户的人口",
    missed_over_villages: "抽中村的非建档人口（取自名册）",
    variance_method: "村级抽样的方差",
    with_replacement: "有放回（最终群）",
    without_replacement: "无放回（有限总体校正，加村内项）",
    summary: "概况",
    item: "项目",
    footer: "由 assess 根据 verdict.json 生成，数字与该 JSON 文件一致。",
    every_passes: "各项指标均达到标准。",
};

impl Words {
    /// The name of an indicator by its JSON name.
    pub fn indicator_name(&self, name: &str) -> String {
        match name {
            "poverty_incidence" => self.poverty_incidence,
            "wrong_exit_rate" => self.wrong_exit_rate,
            "missed_rate" => self.missed_rate,
            "approval_rate" => self.approval_rate,
            other => other,
        }
        .to_string()
    }

    /// A reading in words.
    pub fn reading(&self, r: Reading) -> &'static str {
        match r {
            Reading::PassesWithConfidence => self.passes_with_confidence,
            Reading::FailsWithConfidence => self.fails_with_confidence,
            Reading::Inconclusive => self.inconclusive,
        }
    }

    /// Pass or fail.
    pub fn pass_fail(&self, passes: bool) -> &'static str {
        if passes {
            self.pass
        } else {
            self.fail
        }
    }
}

/// A standard's label by its key (`assess_verdict::STANDARDS`).
pub(crate) fn standard(lang: Lang, key: &str) -> String {
    let zh = match key {
        "income" => "收入低于贫困线",
        "food_clothing" => "不愁吃、不愁穿",
        "education" => "义务教育有保障",
        "medical" => "基本医疗有保障",
        "housing" => "住房安全有保障",
        "water" => "饮水安全",
        other => other,
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => assess_verdict::STANDARDS
            .iter()
            .find(|s| s.0 == key)
            .map_or(key, |s| s.1)
            .to_string(),
    }
}

/// A register status (`exited`, `poor`, `non_registered`).
pub(crate) fn status(lang: Lang, key: &str) -> String {
    match (lang, key) {
        (Lang::En, "exited") => "exited",
        (Lang::En, "poor") => "registered poor",
        (Lang::En, "non_registered") => "not registered",
        (Lang::Zh, "exited") => "已脱贫户",
        (Lang::Zh, "poor") => "未脱贫户",
        (Lang::Zh, "non_registered") => "非建档立卡户",
        (_, other) => other,
    }
    .to_string()
}

/// A village stratum: the plan names it; the usual names are translated.
pub(crate) fn village_stratum(lang: Lang, key: &str) -> String {
    match (lang, key) {
        (Lang::Zh, "remote") => "偏远",
        (Lang::Zh, "other") => "其他",
        (Lang::Zh, "certainty") => "必选",
        (_, other) => other,
    }
    .to_string()
}

/// A confidence interval method by its name.
pub(crate) fn ci_method(lang: Lang, name: &str) -> String {
    match (lang, name) {
        (Lang::En, "korn-graubard") => "Korn–Graubard",
        (Lang::En, "wilson") => "Wilson",
        (Lang::En, "logit") => "logit",
        (Lang::En, "wald") => "Wald",
        (Lang::Zh, "korn-graubard") => "Korn–Graubard 法",
        (Lang::Zh, "wilson") => "Wilson 法",
        (Lang::Zh, "logit") => "logit 法",
        (Lang::Zh, "wald") => "Wald 法",
        (_, other) => other,
    }
    .to_string()
}

/// What is done with a variance stratum holding a single village.
pub(crate) fn lonely_psu(lang: Lang, l: assess_survey::LonelyPsu) -> &'static str {
    use assess_survey::LonelyPsu::*;
    match (lang, l) {
        (Lang::En, Fail) => "an error",
        (Lang::En, Remove) => "removed from the variance",
        (Lang::En, Centre) => "centred at the grand mean",
        (Lang::En, Collapse) => "collapsed with the next stratum",
        (Lang::Zh, Fail) => "报错",
        (Lang::Zh, Remove) => "不计入方差",
        (Lang::Zh, Centre) => "以总均值中心化",
        (Lang::Zh, Collapse) => "与相邻层合并",
    }
}

/// A percentage with two decimals.
pub(crate) fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.2}%", 100.0 * x)
    } else {
        "–".to_string()
    }
}

/// A division code with its name when known: `530128101 屏山街道`.
pub(crate) fn place(code: &str, names: &BTreeMap<String, String>) -> String {
    match names.get(code) {
        Some(n) if !n.is_empty() => format!("{code} {n}"),
        _ => code.to_string(),
    }
}

/// A driver in words, from its structured fields, e.g. "housing safety unmet in 31 sampled
/// exited households (104 people) in 9 villages, 24 of them in 3 townships: ...; 26 in remote
/// villages" or "住房安全有保障未达到：抽中已脱贫户 31 户（104 人），分布于 9 个村……".
pub(crate) fn driver_sentence(lang: Lang, d: &Driver, names: &BTreeMap<String, String>) -> String {
    let top: Vec<&(String, usize)> = d.townships.iter().take(3).collect();
    let in_top: usize = top.iter().map(|t| t.1).sum();
    let spread = d.townships.len() > 1 || in_top < d.households;
    let wrong = d.indicator == "wrong_exit_rate";
    let label = standard(lang, &d.standard);
    match lang {
        Lang::En => {
            let who = if wrong { "exited" } else { "non-registered" };
            let verb = if d.standard == "income" { "" } else { " unmet" };
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            let mut s = format!(
                "{label}{verb} in {} sampled {who} household{} ({} people) in {} village{}",
                d.households,
                plural(d.households),
                d.people,
                d.villages,
                plural(d.villages)
            );
            let list: Vec<String> = top
                .iter()
                .map(|(t, n)| format!("{} ({n})", place(t, names)))
                .collect();
            if spread {
                s.push_str(&format!(
                    ", {in_top} of them in {} township{}: {}",
                    top.len(),
                    plural(top.len()),
                    list.join(", ")
                ));
            } else if let Some((t, _)) = top.first() {
                s.push_str(&format!(", all in township {}", place(t, names)));
            }
            if let Some((vs, n)) = d.village_strata.first() {
                s.push_str(&format!("; {n} in {} villages", village_stratum(lang, vs)));
            }
            s
        }
        Lang::Zh => {
            let who = if wrong {
                "已脱贫户"
            } else {
                "非建档立卡户"
            };
            let verb = if d.standard == "income" {
                ""
            } else {
                "未达到"
            };
            let mut s = format!(
                "{label}{verb}：抽中{who} {} 户（{} 人），分布于 {} 个村",
                d.households, d.people, d.villages
            );
            let list: Vec<String> = top
                .iter()
                .map(|(t, n)| format!("{}（{n} 户）", place(t, names)))
                .collect();
            if spread {
                s.push_str(&format!(
                    "，其中 {in_top} 户在 {} 个乡镇：{}",
                    top.len(),
                    list.join("、")
                ));
            } else if let Some((t, _)) = top.first() {
                s.push_str(&format!("，均在 {}", place(t, names)));
            }
            if let Some((vs, n)) = d.village_strata.first() {
                s.push_str(&format!("；{n} 户在{}村", village_stratum(lang, vs)));
            }
            s
        }
    }
}

/// A list of (code, households) as "a (3), b (2)".
pub(crate) fn counted(
    lang: Lang,
    items: &[(String, usize)],
    names: &BTreeMap<String, String>,
    label: impl Fn(&str) -> String,
) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    items
        .iter()
        .map(|(k, n)| {
            let shown = if names.contains_key(k) {
                place(k, names)
            } else {
                label(k)
            };
            match lang {
                Lang::En => format!("{shown} ({n})"),
                Lang::Zh => format!("{shown}（{n}）"),
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Why the verdict is what it is, from the structured fields, in the report's language: each
/// failing indicator with what drove it, and each statistically inconclusive reading.
pub(crate) fn reasons(lang: Lang, v: &Verdict, names: &BTreeMap<String, String>) -> Vec<String> {
    let w = lang.words();
    let basis = match (lang, v.settings.rate_basis) {
        (Lang::En, assess_verdict::RateBasis::Official) => "official",
        (Lang::En, assess_verdict::RateBasis::Design) => "design-based",
        (Lang::Zh, assess_verdict::RateBasis::Official) => "官方口径",
        (Lang::Zh, assess_verdict::RateBasis::Design) => "设计口径",
    };
    let level = format!("{:.0}%", 100.0 * v.settings.confidence);
    let mut out: Vec<String> = pending_appeals(lang, &v.pending_appeals)
        .into_iter()
        .collect();
    for (name, i) in ordered(&v.indicators) {
        let label = w.indicator_name(name);
        let above = name == "approval_rate";
        if !i.passes {
            out.push(match lang {
                Lang::En => format!(
                    "{label} is {} ({basis}), {} the threshold {}.",
                    pct(i.estimate),
                    if above { "below" } else { "at or above" },
                    pct(i.threshold)
                ),
                Lang::Zh => format!(
                    "{label}为 {}（{basis}），{}标准 {}。",
                    pct(i.estimate),
                    if above { "低于" } else { "不低于" },
                    pct(i.threshold)
                ),
            });
            for d in v.drivers.iter().filter(|d| d.indicator == name) {
                out.push(format!("  {}", driver_sentence(lang, d, names)));
            }
        }
        if i.reading == Reading::Inconclusive {
            out.push(match lang {
                Lang::En => format!(
                    "{label}: statistically inconclusive: the {level} interval {}–{} contains the threshold {}.",
                    pct(i.lci),
                    pct(i.uci),
                    pct(i.threshold)
                ),
                Lang::Zh => format!(
                    "{label}：统计上不能确定，{level} 置信区间 {}–{} 包含标准 {}。",
                    pct(i.lci),
                    pct(i.uci),
                    pct(i.threshold)
                ),
            });
        }
    }
    if out.is_empty() {
        out.push(w.every_passes.to_string());
    }
    out
}

/// The warning that appeals are still pending, naming the first few households, or `None`
/// when none is.
pub(crate) fn pending_appeals(lang: Lang, households: &[String]) -> Option<String> {
    const NAMED: usize = 10;
    let n = households.len();
    if n == 0 {
        return None;
    }
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    let mut named = households
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep);
    Some(match lang {
        Lang::En => {
            if n > NAMED {
                named.push_str(&format!(" and {} more", n - NAMED));
            }
            let one = n == 1;
            format!(
                "{n} appeal{} still pending (household{} {named}): the verdict after the appeals \
                 may change when {} decided; this decision is not final.",
                if one { " is" } else { "s are" },
                if one { "" } else { "s" },
                if one { "it is" } else { "they are" },
            )
        }
        Lang::Zh => {
            if n > NAMED {
                named.push_str(&format!(" 等 {n} 户"));
            }
            format!(
                "尚有 {n} 起申诉未裁决（农户 {named}）：裁决后，申诉后的评估结论可能改变；本结论并非最终结论。"
            )
        }
    })
}

/// The indicators in the order the rules list them (incidence, wrong exits, missed, approval),
/// then any other.
pub(crate) fn ordered(indicators: &BTreeMap<String, Indicator>) -> Vec<(&str, &Indicator)> {
    const ORDER: [&str; 4] = [
        "poverty_incidence",
        "wrong_exit_rate",
        "missed_rate",
        "approval_rate",
    ];
    let mut out: Vec<(&str, &Indicator)> = ORDER
        .iter()
        .filter_map(|n| indicators.get(*n).map(|i| (*n, i)))
        .collect();
    out.extend(
        indicators
            .iter()
            .filter(|(n, _)| !ORDER.contains(&n.as_str()))
            .map(|(n, i)| (n.as_str(), i)),
    );
    out
}

/// "97.3% (below)" for the largest confidence level excluding the threshold, with the side
/// the design-based estimate lies on.
pub(crate) fn largest_confidence(lang: Lang, name: &str, i: &Indicator) -> String {
    let w = lang.words();
    match i.confidence_excluding {
        None => w.none.to_string(),
        Some(c) => {
            let passing_side = if name == "approval_rate" {
                i.design >= i.threshold
            } else {
                i.design < i.threshold
            };
            let side = match (name == "approval_rate", passing_side) {
                (false, true) | (true, false) => w.below,
                _ => w.at_or_above,
            };
            match lang {
                Lang::En => format!("{:.2}% ({side})", 100.0 * c),
                Lang::Zh => format!("{:.2}%（{side}）", 100.0 * c),
            }
        }
    }
}
