//! The engine's types as the UI declares them: `ui/src/generated/*.ts` holds what ts-rs generates from the
//! draft, problems, field schema, catalog, files, plan, events and status types (`UPDATE_GOLDEN=1` rewrites
//! them). The desktop app's own types, and the check that no stale file is left, are `src-tauri/tests/ts_types.rs`.

#[path = "support/typescript.rs"]
mod typescript;

use std::path::Path;

#[test]
fn the_uis_generated_types_are_the_engines() {
    let files = typescript::generate(typescript::export_engine_types);
    typescript::assert_committed(Path::new("ui/src/generated"), &files, false, "--test ts_types");
}

#[test]
fn every_integer_is_a_typescript_number() {
    let files = typescript::generate(typescript::export_engine_types);
    let draft = &files["HostDraft.ts"];
    assert!(draft.contains("id?: number"), "{draft}");
    assert!(files.values().all(|text| !text.contains("bigint")));
}
