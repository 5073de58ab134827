// main.ts — entry point: picks the backend and starts the wizard. Inside the app it is always the Tauri app's
// commands. The mock backend (a plain browser, for the browser tests) exists only in the test bundle: the build
// defines `__KW_MOCK__` (build.mjs), false for the app's bundle, so the mock's code is left out of it.

import { App } from './app.js';
import type { Backend } from './backend.js';
import type { MockOptions } from './mock-backend.js';
import { tauriBackend } from './tauri-backend.js';

/** True only in the test bundle (esbuild `define`). */
declare const __KW_MOCK__: boolean;

declare global {
  interface Window { __TAURI_INTERNALS__?: unknown; __MOCK_OPTIONS__?: MockOptions; __app?: App }
}

async function chooseBackend(): Promise<Backend | null> {
  if (window.__TAURI_INTERNALS__) return tauriBackend();
  if (__KW_MOCK__) return (await import('./mock-backend.js')).mockBackend(window.__MOCK_OPTIONS__ ?? {});
  return null;
}

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const backend = await chooseBackend();
  if (!backend) {
    root.textContent = 'Kafka Cluster Wizard runs inside its app (ui/run.sh); this page has no backend in a plain browser.';
    return;
  }
  const app = new App(backend, root, await backend.newProject());
  window.__app = app;
  await app.start();
}

void main();
