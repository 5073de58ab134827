//! Build script: Tauri's code generation (config, capabilities, embedded `ui/public`).
fn main() {
    tauri_build::build()
}
