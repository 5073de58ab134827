//! `[logging]`: the rotation of the log files the services write into their `log_dir` — each file rotated at
//! `max_file_mb` MiB, `max_files` rotated files kept (`render::logging` writes them into the log4j configuration).

use super::{defaults, text, Checker, LoggingSpec, ProjectDraft, Text};

/// `[logging]`, its values left out taken from [`defaults`].
pub(super) fn check_logging(c: &mut Checker, d: &ProjectDraft) -> Option<LoggingSpec> {
    let draft = d.logging.clone().unwrap_or_default();
    let max_file_mb = within(
        c,
        "logging.max_file_mb",
        draft.max_file_mb,
        (defaults::LOG_MAX_FILE_MB, LoggingSpec::MAX_FILE_MB),
        |v, max, default| {
            text!(
                "{v} is out of range — give the MiB a log file grows to before it is rotated, 1 to {max} (default {default})",
                "{v}은(는) 범위를 벗어났습니다 — 로그 파일이 교체되기 전까지 커질 크기를 MiB 단위로 1부터 {max}까지 쓰세요 (기본값 {default})"
            )
        },
    );
    let max_files = within(
        c,
        "logging.max_files",
        draft.max_files,
        (defaults::LOG_MAX_FILES, LoggingSpec::MAX_FILES),
        |v, max, default| {
            text!(
                "{v} is out of range — give how many rotated files to keep per log file, 1 to {max} (default {default})",
                "{v}은(는) 범위를 벗어났습니다 — 로그 파일마다 남길 교체된 파일 수를 1부터 {max}까지 쓰세요 (기본값 {default})"
            )
        },
    );
    Some(LoggingSpec { max_file_mb: max_file_mb?, max_files: max_files? })
}

/// A whole number from 1 to `max`, or `default` when left out; `message(value, max, default)` says what to give.
fn within(
    c: &mut Checker,
    field: &str,
    raw: Option<i64>,
    (default, max): (u32, u32),
    message: fn(i64, u32, u32) -> Text,
) -> Option<u32> {
    let Some(v) = raw else { return Some(default) };
    match u32::try_from(v) {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            c.error(field, message(v, max, default));
            None
        }
    }
}
