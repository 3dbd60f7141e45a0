// The real backend: the generated commands and events (bindings.ts), with
// tauri-specta's result objects turned back into resolve / reject(IpcError).
import { Channel } from "@tauri-apps/api/core";
import { commands, events, type IpcError } from "./bindings";
import type { Backend } from "./index";
import { toIpcError } from "./types";

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

/** Resolves with the command's data; rejects with an IpcError whatever went wrong. */
async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (e) {
    // A JS error thrown inside invoke (tauri-specta rethrows those).
    throw toIpcError(e);
  }
  if (outcome.status === "error") throw toIpcError(outcome.error);
  return outcome.data;
}

function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = onMessage;
  return ch;
}

export function createTauriBackend(): Backend {
  return {
    kind: "tauri",
    appStatus: () => unwrap(commands.appStatus()),
    retryCache: () => unwrap(commands.retryCache()),
    listProviders: () => unwrap(commands.listProviders()),
    getSettings: () => unwrap(commands.getSettings()),
    saveSettings: (settings) => unwrap(commands.saveSettings(settings)),
    setClientSecret: (provider, secret) => unwrap(commands.setClientSecret(provider, secret)),
    forgetEverything: () => unwrap(commands.forgetEverything()),
    connect: (provider) => unwrap(commands.connect(provider)),
    cancelConnect: (provider) => unwrap(commands.cancelConnect(provider)),
    useBrowserInstead: (provider) => unwrap(commands.useBrowserInstead(provider)),
    disconnect: (provider) => unwrap(commands.disconnect(provider)),
    openUrl: (url) => unwrap(commands.openUrl(url)),
    loadItems: (providers, onEvent) => unwrap(commands.loadItems(providers, channel(onEvent))),
    resumeLoad: (provider, onEvent) => unwrap(commands.resumeLoad(provider, channel(onEvent))),
    cancelLoad: (provider) => unwrap(commands.cancelLoad(provider)),
    queryItems: (query, offset, limit) => unwrap(commands.queryItems(query, offset, limit)),
    getItem: (key) => unwrap(commands.getItem(key)),
    // No path: Rust opens the save dialog itself and writes where the user chose.
    exportItems: (format, query, csvRawFormulas) => unwrap(commands.exportItems(format, query, csvRawFormulas)),
    onConnectionChanged: (cb) => events.connectionChanged.listen((e) => cb(e.payload)),
    onStatusChanged: (cb) => events.statusChanged.listen((e) => cb(e.payload)),
  };
}
