// The three provider cards. Each card is built once and patched on every state
// change: progress events arrive many times a second, and rebuilding would steal
// focus and hover from the buttons. A card says what the item store holds for its
// provider ("14,000 items · loaded 2 h ago", the time kept current), a running load's
// progress, and why the last load stopped, with Resume when it can continue.
import { button, h } from "./dom";
import { PROVIDER_IDS, toIpcError, type Backend, type ProviderId, type ProviderView } from "./backend";
import type { Loader } from "./loader";
import type { AppState, LoadState } from "./state";
import { formatAgo, formatItems, formatNumber } from "./table/format";
import { toast } from "./toast";

/** How often "loaded 5 min ago" is brought up to date. */
const AGO_REFRESH_MS = 30_000;

export interface CardsOptions {
  backend: Backend;
  state: AppState;
  loader: Loader;
  openSettings(): void;
  /** Called after a disconnect (Rust deleted that provider's rows): the table reads again. */
  onDisconnected(p: ProviderId): void;
}

const STATUS_TEXT: Record<ProviderView["state"], string> = {
  not_configured: "Not configured",
  not_connected: "Not connected",
  connecting: "Connecting…",
  connected: "Connected",
  needs_reconnect: "Needs reconnect",
};

class Card {
  readonly el: HTMLElement;
  private status: HTMLElement;
  private hint: HTMLElement;
  private error: HTMLElement;
  private throttle: HTMLElement;
  private progress: HTMLElement;
  private progressCounts: HTMLElement;
  private summary: HTMLElement;
  private elsewhere: HTMLElement;
  private failure: HTMLElement;
  private actions: HTMLElement;
  private actionsKey = "";

  constructor(
    private id: ProviderId,
    private opts: CardsOptions,
  ) {
    const t = (s: string) => `${s}-${id}`;
    this.status = h("div", { class: "status", testid: t("status") });
    this.hint = h("div", { class: "card-line hint", testid: t("hint") });
    this.error = h("div", { class: "card-line card-error", testid: t("error"), attrs: { role: "status" } });
    this.throttle = h("div", { class: "throttle", testid: t("throttle"), attrs: { role: "status" } });
    this.progressCounts = h("div", { class: "progress-counts", testid: t("progress-counts") });
    this.progress = h(
      "div",
      { class: "progress", testid: t("progress") },
      this.progressCounts,
      h("div", { class: "progress-bar", attrs: { role: "progressbar", "aria-label": "Loading" } }, h("span")),
    );
    this.summary = h("div", { class: "card-line summary", testid: t("summary") });
    this.elsewhere = h("div", { class: "card-line hint", testid: t("running-elsewhere") });
    this.failure = h("div", { class: "card-line card-error", testid: t("load-error") });
    this.actions = h("div", { class: "card-actions" });
    const name = h("h2", { class: "card-title" });
    this.el = h(
      "article",
      { class: `card provider-${id}`, testid: t("provider-card") + "" },
      h("header", { class: "card-head" }, h("span", { class: `logo logo-${id}`, attrs: { "aria-hidden": "true" } }), name, this.status),
      h("div", { class: "card-body" }, this.hint, this.error, this.summary, this.progress, this.elsewhere, this.failure),
      h("div", { class: "card-foot" }, this.actions, this.throttle),
    );
    // data-testid must be exactly provider-card-<id>.
    this.el.dataset.testid = `provider-card-${id}`;
    // Nothing optional shows before the first answer (no empty bar or pill flashes up).
    for (const el of [this.hint, this.error, this.throttle, this.progress, this.summary, this.elsewhere, this.failure]) el.hidden = true;
  }

  update(v: ProviderView | undefined, ls: LoadState, now: number): void {
    if (!v) return;
    (this.el.querySelector(".card-title") as HTMLElement).textContent = v.name;
    this.el.dataset.state = v.state;
    const statusText = v.state === "connected" && v.account ? `${STATUS_TEXT.connected} · ${v.account}` : STATUS_TEXT[v.state];
    setText(this.status, statusText);
    this.status.dataset.state = v.state;
    this.status.title = v.state === "connected" && v.expires_at ? `Access token expires ${new Date(v.expires_at).toLocaleString()}` : "";
    const stopped = this.opts.state.stopped(this.id);
    const loading = ls.phase === "loading";

    show(
      this.hint,
      v.state === "not_configured"
        ? (v.hint ?? "Add a client ID in Settings.")
        : v.state === "connected" && v.expires_at && !loading && !v.stored && !stopped
          ? `Access token valid until ${new Date(v.expires_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · renewed automatically`
          : null,
    );
    const lastError = v.last_error && !stopped ? v.last_error : null;
    show(this.error, lastError);
    this.error.title = lastError ?? "";

    // What the store holds: it stays on screen (and in exports) while a reload runs.
    show(this.summary, v.stored ? `${formatItems(v.stored.count)} · loaded ${formatAgo(v.stored.loaded_at, now)}` : null);
    if (v.stored) this.summary.title = `Last complete load: ${new Date(v.stored.loaded_at).toLocaleString()}`;

    this.progress.hidden = !loading;
    if (loading) {
      const parts = [...ls.perType].map(([t, n]) => `${t} ${formatNumber(n)}`);
      const so = parts.length ? parts.join(" · ") : "Starting…";
      setText(this.progressCounts, v.stored ? `Reloading: ${so}` : so);
      this.progressCounts.title = this.progressCounts.textContent ?? "";
    }
    show(this.throttle, loading && ls.throttle ? ls.throttle.message : null);
    show(this.elsewhere, !loading && v.load.running ? "Another Junction process is loading it…" : null);
    const why = stopped ? stoppedText(stopped, !!v.stored) : null;
    show(this.failure, why);
    // Clamped to two lines on the card (the card keeps its height): all of it on hover.
    this.failure.title = why ?? "";
    this.failure.classList.toggle("is-cancelled", stopped?.code === "cancelled");

    this.renderActions(v, ls, !!stopped?.resumable);
  }

  private renderActions(v: ProviderView, ls: LoadState, resumable: boolean): void {
    const key = `${v.state}|${ls.phase}|${resumable}|${!!v.stored}`;
    if (key === this.actionsKey) return;
    this.actionsKey = key;
    const { backend, loader, state } = this.opts;
    const id = this.id;
    const t = (s: string) => `${s}-${id}`;
    const btns: HTMLElement[] = [];
    const connect = async () => {
      try {
        state.setProvider(await backend.connect(id));
      } catch (e) {
        const err = toIpcError(e);
        // Cancelling is the user's own choice: no error toast for it.
        if (err.code !== "oauth_aborted") toast(`${v.name}: ${err.message}`, "error");
        state.setProvider({ ...(await backend.listProviders()).find((p) => p.id === id)! });
      }
    };
    switch (v.state) {
      case "not_configured": {
        const b = button("Connect", () => {}, { testid: t("connect"), variant: "primary" });
        b.disabled = true;
        b.title = v.hint ?? "Not configured";
        btns.push(b, button("Open Settings", () => this.opts.openSettings(), { variant: "ghost", testid: t("open-settings") }));
        break;
      }
      case "not_connected":
        btns.push(button("Connect", connect, { testid: t("connect"), variant: "primary" }));
        break;
      case "needs_reconnect":
        btns.push(
          button("Reconnect", connect, { testid: t("connect"), variant: "primary" }),
          button("Disconnect", () => this.disconnect(), { testid: t("disconnect"), variant: "ghost" }),
        );
        break;
      case "connecting":
        btns.push(
          button(
            "Cancel",
            (ev) => {
              if (isRepeatClick(ev)) return;
              backend.cancelConnect(id).catch((e) => toast(toIpcError(e).message, "error"));
            },
            { testid: t("cancel-connect") },
          ),
          button(
            "Use my browser instead",
            () => backend.useBrowserInstead(id).catch((e) => toast(toIpcError(e).message, "error")),
            { testid: t("use-browser"), variant: "link" },
          ),
        );
        break;
      case "connected":
        if (ls.phase === "loading") {
          btns.push(
            button(
              "Cancel",
              (ev) => {
                if (!isRepeatClick(ev)) void loader.cancel(id);
              },
              { testid: t("cancel-load") },
            ),
          );
        } else {
          if (resumable) btns.push(button("Resume", () => loader.resume(id), { testid: t("resume"), variant: "primary" }));
          btns.push(
            button(v.stored ? "Reload" : "Load", () => loader.load([id]), {
              testid: t("load"),
              variant: resumable ? undefined : "primary",
            }),
            // Reconnect: sign in again (another account, or new scopes) without disconnecting first.
            button("Reconnect", connect, { testid: t("reconnect"), variant: "ghost" }),
            button("Disconnect", () => this.disconnect(), { testid: t("disconnect"), variant: "ghost" }),
          );
        }
        break;
    }
    this.actions.replaceChildren(...btns);
  }

  private async disconnect(): Promise<void> {
    const { backend, state } = this.opts;
    try {
      const view = await backend.disconnect(this.id);
      Object.assign(state.load(this.id), { phase: "idle", failure: null, throttle: null });
      state.setProvider(view);
      this.opts.onDisconnected(this.id);
    } catch (e) {
      toast(toIpcError(e).message, "error");
    }
  }
}

/**
 * The card redraws right after Connect/Load/Resume, so the second click of a
 * double-click lands on the Cancel button that replaced it. Such a click (detail
 * 2+, i.e. part of a multi-click) is not a deliberate Cancel. Keyboard activation
 * has detail 0 and still cancels.
 */
function isRepeatClick(ev: MouseEvent): boolean {
  return ev.detail > 1;
}

/**
 * Why the last load stopped, as the card says it: what stopped (a first load or a
 * reload, whose previous items stay), the reason, and what Resume keeps.
 */
export function stoppedText(
  stopped: { code: string; message: string; resumable: boolean; count: number | null },
  reload: boolean,
): string {
  const reason = stopped.message.trim();
  let text: string;
  if (stopped.code === "cancelled" || stopped.code === "interrupted") {
    // The message says it already ("HubSpot load cancelled", "the load was interrupted…").
    text = reason.charAt(0).toUpperCase() + reason.slice(1);
  } else {
    text = `${reload ? "Reload" : "Load"} failed: ${reason}`;
  }
  if (stopped.resumable && stopped.count !== null && stopped.count > 0) {
    text += ` · ${formatItems(stopped.count)} so far, kept for Resume`;
  }
  return text;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function show(el: HTMLElement, text: string | null): void {
  el.hidden = !text;
  if (text) setText(el, text);
}

export function mountCards(parent: HTMLElement, opts: CardsOptions): () => void {
  const cards = PROVIDER_IDS.map((id) => new Card(id, opts));
  parent.append(...cards.map((c) => c.el));
  const render = () => {
    const now = Date.now();
    cards.forEach((c, i) => c.update(opts.state.providers.get(PROVIDER_IDS[i]!), opts.state.load(PROVIDER_IDS[i]!), now));
  };
  opts.state.on(render);
  // "loaded 2 min ago" grows older by itself.
  window.setInterval(render, AGO_REFRESH_MS);
  render();
  return render;
}
