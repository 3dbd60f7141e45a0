// Bottom status bar: where the cache lives and whether it works, secret-store and
// item-store warnings (a damaged items.db moved aside), version. Updated from
// app_status and `status-changed` events.
import { button, h, icon } from "./dom";
import { toIpcError, type AppStatus, type Backend } from "./backend";
import { toast } from "./toast";

export class StatusBar {
  readonly el: HTMLElement;
  private cache: HTMLElement;
  private cacheError: HTMLElement;
  private retry: HTMLButtonElement;
  private secrets: HTMLElement;
  private store: HTMLElement;
  private version: HTMLElement;

  constructor(
    private backend: Backend,
    private onStatus: (s: AppStatus) => void,
  ) {
    this.cache = h("span", { class: "cache-label", testid: "cache-status" });
    this.cacheError = h("span", { class: "status-error", testid: "cache-error" });
    this.retry = button("Retry", () => this.retryCache(), { testid: "retry-cache", class: "btn-small" });
    this.secrets = h("span", { class: "status-warning", testid: "secrets-warning" });
    this.store = h("span", { class: "status-warning", testid: "store-problem", attrs: { role: "status" } });
    this.version = h("span", { class: "version" });
    // Until the first app_status: no Retry, no warnings (update() shows what applies).
    for (const el of [this.cacheError, this.retry, this.secrets, this.store]) el.hidden = true;
    this.el = h(
      "footer",
      { class: "statusbar" },
      h("span", { class: "cache-dot" }),
      this.cache,
      this.cacheError,
      this.retry,
      this.secrets,
      this.store,
      h("span", { class: "spacer" }),
      h("span", { class: "shortcuts", text: "Ctrl+F search · ↑↓ select · Enter details · Ctrl+E export" }),
      this.version,
    );
  }

  update(s: AppStatus): void {
    this.cache.textContent = s.cache.label;
    this.el.classList.toggle("cache-down", !s.cache.ok);
    this.cacheError.hidden = s.cache.ok;
    this.retry.hidden = s.cache.ok;
    this.cacheError.textContent = s.cache.ok ? "" : s.cache.error ?? "The cache is unreachable.";
    this.secrets.hidden = !s.secrets.warning;
    this.secrets.replaceChildren(...(s.secrets.warning ? [icon("warning", 13), s.secrets.warning] : []));
    const problem = s.store.problem;
    this.store.hidden = !problem;
    this.store.title = problem ?? "";
    this.store.replaceChildren(...(problem ? [icon("warning", 13), problem] : []));
    this.version.textContent = `v${s.version}`;
    this.el.classList.toggle("has-problems", !s.cache.ok || !!s.secrets.warning || !!problem);
  }

  private async retryCache(): Promise<void> {
    this.retry.disabled = true;
    this.retry.textContent = "Retrying…";
    try {
      const s = await this.backend.retryCache();
      this.onStatus(s);
      toast(s.cache.ok ? "Cache reconnected." : s.cache.error ?? "The cache is still unreachable.", s.cache.ok ? "success" : "error");
    } catch (e) {
      toast(toIpcError(e).message, "error");
    } finally {
      this.retry.disabled = false;
      this.retry.textContent = "Retry";
    }
  }
}
