//! The Chinese names registers use, as data in one place (docs/register.md, "Chinese
//! headers and values"): header aliases for every register column and the Chinese labels of
//! the register status.
//!
//! Source: the headers and status words of registers exported by county poverty-alleviation
//! and statistics offices (the household lists of the national poverty-alleviation
//! information system, 全国扶贫开发信息系统), as collected for issue 13. A register with a
//! header not listed here can be renamed to the English column names; add an alias here when
//! an office's export shows another common one.

use crate::Status;

/// Header aliases: each register column (its canonical name, as in
/// [`FRAME_COLUMNS`](crate::FRAME_COLUMNS)) with the other names a register may give it.
/// Matched exactly after trimming (canonical names ignore ASCII case); two header fields
/// naming one column are refused, whatever their names.
pub const FRAME_ALIASES: &[(&str, &[&str])] = &[
    ("household_id", &["户编号"]),
    (
        "village_code",
        &["村代码", "行政区划代码", "村行政区划代码"],
    ),
    ("status", &["脱贫状态"]),
    ("exit_year", &["脱贫年度", "脱贫年份"]),
    ("members", &["家庭人口数", "人口数"]),
    ("income_per_capita", &["人均纯收入", "家庭人均纯收入"]),
    ("lon", &["经度"]),
    ("lat", &["纬度"]),
    ("head_name", &["户主姓名", "户主"]),
    ("group", &["村民小组", "组", "村民组"]),
    ("address", &["地址", "门牌号", "住址", "家庭住址"]),
    ("phone", &["联系电话", "电话", "手机号码"]),
];

/// Each register status with its Chinese label, as registers and the template show it.
pub const STATUS_LABELS: [(Status, &str); 3] = [
    (Status::Exited, "已脱贫"),
    (Status::Poor, "未脱贫"),
    (Status::NonRegistered, "非建档立卡"),
];

impl Status {
    /// The Chinese label: `已脱贫`, `未脱贫` or `非建档立卡`.
    pub fn label_zh(self) -> &'static str {
        STATUS_LABELS[self as usize].1
    }
}

/// The status a register's text names: the English word (`exited`, `poor`,
/// `non_registered`, as [`Status`] parses it) or its Chinese label (`已脱贫`, `未脱贫`,
/// `非建档立卡`), after trimming.
pub fn status_from_label(text: &str) -> Option<Status> {
    let text = text.trim();
    text.parse().ok().or_else(|| {
        STATUS_LABELS
            .iter()
            .find(|(_, label)| *label == text)
            .map(|(status, _)| *status)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FRAME_COLUMNS;

    #[test]
    fn every_alias_names_a_column_and_no_alias_names_two() {
        let mut seen = std::collections::BTreeSet::new();
        for (column, aliases) in FRAME_ALIASES {
            assert!(FRAME_COLUMNS.contains(column), "{column}");
            for alias in *aliases {
                assert!(seen.insert(*alias), "{alias} is listed twice");
                assert!(!FRAME_COLUMNS.contains(alias), "{alias}");
            }
        }
    }

    #[test]
    fn statuses_read_in_english_and_chinese() {
        for status in Status::ALL {
            assert_eq!(status_from_label(status.as_str()), Some(status));
            assert_eq!(status_from_label(status.label_zh()), Some(status));
        }
        assert_eq!(status_from_label(" 已脱贫 "), Some(Status::Exited));
        assert_eq!(status_from_label("脱贫"), None);
    }
}
