//! The columns of a unit's table, one list that the workbook, the HTML summary and the
//! definitions sheet all read: key, Chinese and English headers, what it holds, and its value.

use crate::coverage::Coverage;
use crate::tables::{UnitTable, ITEMS, KINDS};

/// A cell's value and how it is shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    /// A code: text in a monospace font.
    Code(String),
    Int(u64),
    /// A proportion, shown as a percentage; empty when it has no denominator.
    Pct(Option<f64>),
    /// Yuan, two decimals; empty when there is nothing to show.
    Yuan(Option<f64>),
}

impl Value {
    /// The value as text (HTML).
    pub(crate) fn text(&self) -> String {
        match self {
            Value::Text(s) | Value::Code(s) => s.clone(),
            Value::Int(n) => thousands(&n.to_string()),
            Value::Pct(Some(x)) => format!("{:.2}%", x * 100.0),
            Value::Yuan(Some(x)) => {
                let s = format!("{x:.2}");
                let (int, frac) = s.split_at(s.len() - 3);
                format!("{}{frac}", thousands(int))
            }
            Value::Pct(None) | Value::Yuan(None) => String::new(),
        }
    }

    pub(crate) fn numeric(&self) -> bool {
        !matches!(self, Value::Text(_) | Value::Code(_))
    }
}

fn thousands(digits: &str) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// One column.
pub(crate) struct Column {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub means: String,
    pub value: Box<dyn Fn(&UnitTable) -> Value>,
}

fn col(
    key: impl Into<String>,
    zh: impl Into<String>,
    en: impl Into<String>,
    means: impl Into<String>,
    value: impl Fn(&UnitTable) -> Value + 'static,
) -> Column {
    Column {
        key: key.into(),
        zh: zh.into(),
        en: en.into(),
        means: means.into(),
        value: Box::new(value),
    }
}

/// A column of fixed texts: key, Chinese and English headers, meaning, and its value.
pub(crate) type FixedColumn<T> = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    fn(&T) -> Value,
);

/// A money column: key, headers, meaning, and its amount.
type MoneyColumn = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    fn(&UnitTable) -> Option<f64>,
);

/// The coverage columns, for any unit's counts.
pub(crate) fn coverage_columns() -> Vec<FixedColumn<Coverage>> {
    vec![
        (
            "registered",
            "建档立卡户数",
            "Registered",
            "households in the register of poor households (exited or poor)",
            |c| Value::Int(c.registered),
        ),
        (
            "enumerated",
            "已普查户数",
            "Enumerated",
            "registered households with a return whose outcome is enumerated",
            |c| Value::Int(c.enumerated),
        ),
        (
            "dissolved",
            "已消亡户数",
            "Dissolved",
            "registered households whose returns say dissolved (none enumerated)",
            |c| Value::Int(c.dissolved),
        ),
        (
            "moved_out",
            "已迁出户数",
            "Moved out",
            "registered households whose returns say moved out (none enumerated or dissolved)",
            |c| Value::Int(c.moved_out),
        ),
        (
            "missing",
            "未普查户数",
            "Missing",
            "registered households with no return: the follow-up list",
            |c| Value::Int(c.missing),
        ),
        (
            "coverage_rate",
            "覆盖率",
            "Coverage",
            "(registered - missing) / registered",
            |c| Value::Pct(c.coverage_rate()),
        ),
        (
            "duplicated",
            "重复填报户数",
            "Duplicated households",
            "households with more than one return",
            |c| Value::Int(c.duplicated),
        ),
        (
            "extra_returns",
            "重复问卷数",
            "Extra returns",
            "returns beyond the first of those households",
            |c| Value::Int(c.extra_returns),
        ),
        (
            "not_registered",
            "非建档立卡户数",
            "Not registered",
            "households with a return whose household id is not in the register",
            |c| Value::Int(c.not_registered),
        ),
        (
            "returns",
            "问卷数",
            "Returns",
            "all returns of the unit's households",
            |c| Value::Int(c.returns),
        ),
    ]
}

/// The columns of a unit's table; `quality` the quality kinds to show (one column each).
pub(crate) fn unit_columns(quality: &[String]) -> Vec<Column> {
    let mut cols = vec![
        col(
            "code",
            "代码",
            "Code",
            "the province's or county's code",
            |t| Value::Code(t.code.clone()),
        ),
        col("name", "名称", "Name", "its name", |t| {
            Value::Text(t.name.clone())
        }),
    ];
    for (key, zh, en, means, f) in coverage_columns() {
        cols.push(col(key, zh, en, means, move |t| f(&t.coverage)));
    }
    cols.push(col(
        "households",
        "纳入统计户数",
        "Households counted",
        "registered households with an enumerated return, each once (the earliest return by start time, then return id)",
        |t| Value::Int(t.households),
    ));
    for (i, (key, zh, en)) in ITEMS.iter().enumerate() {
        cols.push(col(
            format!("{key}_share"),
            format!("{zh}比例"),
            format!("{en}: share met"),
            "met / (met + unmet) among the households counted",
            move |t| Value::Pct(t.attainment[i].share()),
        ));
        cols.push(col(
            format!("{key}_unknown"),
            format!("{zh}无法判断户数"),
            format!("{en}: unknown"),
            "households counted whose return cannot tell",
            move |t| Value::Int(t.attainment[i].unknown),
        ));
    }
    cols.push(col(
        "income_known",
        "收入已知户数",
        "Income known",
        "households counted with every income source recorded",
        |t| Value::Int(t.income.known),
    ));
    cols.push(col(
        "income_unknown",
        "收入未知户数",
        "Income unknown",
        "households counted with an income source not recorded",
        |t| Value::Int(t.income.unknown),
    ));
    let money: [MoneyColumn; 6] = [
        (
            "income_mean",
            "人均纯收入均值(元)",
            "Income per person: mean (yuan)",
            "mean of the known incomes per person",
            |t| t.income.mean,
        ),
        (
            "income_p10",
            "人均纯收入P10(元)",
            "Income per person: p10 (yuan)",
            "10th percentile, Hyndman-Fan type 7",
            |t| t.income.p10,
        ),
        (
            "income_p25",
            "人均纯收入P25(元)",
            "Income per person: p25 (yuan)",
            "25th percentile, Hyndman-Fan type 7",
            |t| t.income.p25,
        ),
        (
            "income_median",
            "人均纯收入中位数(元)",
            "Income per person: median (yuan)",
            "median, Hyndman-Fan type 7",
            |t| t.income.median,
        ),
        (
            "income_p75",
            "人均纯收入P75(元)",
            "Income per person: p75 (yuan)",
            "75th percentile, Hyndman-Fan type 7",
            |t| t.income.p75,
        ),
        (
            "income_p90",
            "人均纯收入P90(元)",
            "Income per person: p90 (yuan)",
            "90th percentile, Hyndman-Fan type 7",
            |t| t.income.p90,
        ),
    ];
    for (key, zh, en, means, f) in money {
        cols.push(col(key, zh, en, means, move |t| Value::Yuan(f(t))));
    }
    for (i, (key, zh, en, amount)) in KINDS.iter().enumerate() {
        cols.push(col(
            format!("{key}_share"),
            format!("{zh}受益比例"),
            format!("{en}: share receiving"),
            "receiving / (receiving + not receiving) among the households counted (an amount over 0, or yes)",
            move |t| Value::Pct(t.assistance[i].share()),
        ));
        cols.push(col(
            format!("{key}_unknown"),
            format!("{zh}未填户数"),
            format!("{en}: not answered"),
            "households counted whose return leaves it out",
            move |t| Value::Int(t.assistance[i].unknown),
        ));
        if *amount {
            cols.push(col(
                format!("{key}_mean_yuan"),
                format!("{zh}户均(元)"),
                format!("{en}: mean per receiving household (yuan)"),
                "total / households receiving",
                move |t| Value::Yuan(t.assistance[i].mean_yuan()),
            ));
            cols.push(col(
                format!("{key}_total_yuan"),
                format!("{zh}合计(元)"),
                format!("{en}: total (yuan)"),
                "sum of the amounts, each rounded to the fen",
                move |t| Value::Yuan(Some(t.assistance[i].total_yuan())),
            ));
        }
    }
    for kind in quality {
        let k = kind.clone();
        cols.push(col(
            format!("quality_{kind}"),
            format!("质量问题: {kind}"),
            format!("Quality: {kind}"),
            "returns the quality check of this name flagged",
            move |t| Value::Int(t.quality.get(&k).copied().unwrap_or(0)),
        ));
    }
    cols
}
