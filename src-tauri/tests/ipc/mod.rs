//! The app on Tauri's mock runtime (`tauri::test::mock_builder()`), shared by the command tests: a window whose IPC
//! reaches the app's commands, and one command invoked as the UI invokes it (its JSON answer, or its `{code,
//! message}` error).

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The app and its main window; `env` (the XDG directories the app keeps its files in: inside target/, never the
/// home directory) is set once per test binary, before the first app is built.
pub fn window(env: &'static [(&'static str, &'static str)]) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    static ENV: std::sync::Once = std::sync::Once::new();
    ENV.call_once(|| {
        for (name, value) in env {
            std::env::set_var(name, value);
        }
    });
    let app = kafka_wizard_app::builder(mock_builder()).build(mock_context(noop_assets())).expect("app builds");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    (app, window)
}

pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json response"))
}
