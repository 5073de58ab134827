//! Checks the validation-rule tests share (`#[path = "support/problems.rs"] mod problems_support;`): every problem has a
//! real Korean message, and a problem of a severity at a field with a message fragment is among those found.

use kafka_wizard::project::{Problem, Severity};

/// Every problem validation reports (so every rule test's errors and warnings) carries a real Korean message:
/// not the English one, with Hangul in it, and keeping the English message's numbers and quoted values.
#[track_caller]
pub fn assert_translated(found: &[Problem]) {
    for p in found {
        let ko = &p.message_ko;
        assert!(
            ko != &p.message && ko.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)),
            "untranslated: {p}\n  ko: {ko}"
        );
        let numbers = p.message.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty());
        let quoted = p.message.split('"').skip(1).step_by(2);
        for kept in numbers.chain(quoted) {
            assert!(ko.contains(kept), "the Korean message drops {kept:?}: {p}\n  ko: {ko}");
        }
    }
}

#[track_caller]
pub fn expect_in(found: &[Problem], severity: Severity, field: &str, fragment: &str) {
    assert!(
        found.iter().any(|p| p.severity == severity && p.field == field && p.message.contains(fragment)),
        "expected {severity:?} at {field} containing {fragment:?}; got:\n{}",
        found.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
    );
}
