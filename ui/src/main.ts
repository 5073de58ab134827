// main.ts — entry point: picks the backend (the Tauri app's commands inside the app, the mock in a plain
// browser) and starts the wizard.

import { App } from './app.js';
import type { Backend } from './backend.js';
import { mockBackend, type MockOptions } from './mock-backend.js';
import { tauriBackend } from './tauri-backend.js';

declare global {
  interface Window { __TAURI_INTERNALS__?: unknown; __MOCK_OPTIONS__?: MockOptions; __app?: App }
}

async function main(): Promise<void> {
  const backend: Backend = window.__TAURI_INTERNALS__ ? tauriBackend() : mockBackend(window.__MOCK_OPTIONS__ ?? {});
  const app = new App(backend, document.getElementById('app')!, await backend.newProject());
  window.__app = app;
  await app.start();
}

void main();
