// Settings dialog. Client secrets are write-only: the field is always empty, the
// backend only tells whether one is set, and a typed value is sent once through
// set_client_secret and then cleared. Values overridden by environment variables
// are shown read-only with the variable's name.
import { button, h } from "./dom";
import {
  PROVIDER_IDS,
  toIpcError,
  type Backend,
  type ProviderId,
  type SettingsInput,
  type SettingsView,
  type SignInMode,
} from "./backend";
import { toast } from "./toast";
import { providerName } from "./providers";
import { formatBytes } from "./table/format";

export interface SettingsOptions {
  /** Settings or secrets changed: providers may have become (un)configured. */
  onSaved(): void;
  /** Everything was forgotten: providers, status and table must be reset. */
  onForgotten(): void;
}

interface ProviderFields {
  clientId: HTMLInputElement;
  clientIdNote: HTMLElement;
  secret: HTMLInputElement;
  secretState: HTMLElement;
  secretNote: HTMLElement;
  legend: HTMLElement;
}

/** Which env var overrides which field (names are JUNCTION_<…> from the backend). */
const overrides = (names: string[], re: RegExp) => names.find((n) => re.test(n)) ?? null;

export class SettingsDialog {
  readonly el: HTMLDialogElement;
  private fields = new Map<ProviderId, ProviderFields>();
  private modePopup: HTMLInputElement;
  private modeBrowser: HTMLInputElement;
  private modeNote: HTMLElement;
  private port: HTMLInputElement;
  private portNote: HTMLElement;
  private redis: HTMLInputElement;
  private archived!: HTMLInputElement;
  private archivedNote!: HTMLElement;
  private redisNote: HTMLElement;
  private otherEnv: HTMLElement;
  private storePath: HTMLElement;
  private storeSize: HTMLElement;
  private error: HTMLElement;
  private save: HTMLButtonElement;
  private confirmBox: HTMLElement;
  private forgetBtn: HTMLButtonElement;
  private view: SettingsView | null = null;

  constructor(
    private backend: Backend,
    private opts: SettingsOptions,
  ) {
    const providerSections = PROVIDER_IDS.map((id) => {
      const f: ProviderFields = {
        clientId: h("input", { testid: `client-id-${id}`, attrs: { type: "text", spellcheck: "false", autocomplete: "off", id: `client-id-${id}` } }),
        clientIdNote: h("div", { class: "field-note env-note" }),
        secret: h("input", {
          testid: `client-secret-${id}`,
          attrs: { type: "password", autocomplete: "new-password", id: `client-secret-${id}`, placeholder: "Enter a new secret to replace it" },
        }),
        secretState: h("span", { class: "badge", testid: `secret-state-${id}` }),
        secretNote: h("div", { class: "field-note env-note" }),
        legend: h("span", { text: providerName(id) }),
      };
      this.fields.set(id, f);
      return h(
        "fieldset",
        { class: "provider-settings" },
        h("legend", {}, h("span", { class: `logo logo-${id} logo-small`, attrs: { "aria-hidden": "true" } }), f.legend),
        h("label", { class: "field", attrs: { for: `client-id-${id}` } }, h("span", { class: "field-label", text: "Client ID" }), f.clientId, f.clientIdNote),
        h(
          "label",
          { class: "field", attrs: { for: `client-secret-${id}` } },
          h("span", { class: "field-label" }, "Client secret ", f.secretState),
          f.secret,
          f.secretNote,
        ),
      );
    });

    this.modePopup = h("input", { testid: "sign-in-popup", attrs: { type: "radio", name: "sign-in-mode", value: "popup" } });
    this.modeBrowser = h("input", { testid: "sign-in-browser", attrs: { type: "radio", name: "sign-in-mode", value: "browser" } });
    this.modeNote = h("div", { class: "field-note env-note" });
    this.port = h("input", { testid: "redirect-port", attrs: { type: "number", id: "redirect-port" } });
    this.portNote = h("div", { class: "field-note", text: "Where sign-in redirects back to." });
    this.redis = h("input", {
      testid: "redis-url",
      attrs: { type: "text", spellcheck: "false", id: "redis-url", placeholder: "Empty: embedded cache (redis://host:6379 to share with the CLI)" },
    });
    this.redisNote = h("div", { class: "field-note env-note" });
    this.otherEnv = h("div", { class: "field-note env-note" });
    this.archived = h("input", { testid: "hubspot-archived", attrs: { type: "checkbox", id: "hubspot-archived" } });
    this.archivedNote = h("div", {
      class: "field-note",
      text: "HubSpot's archived (deleted, restorable) records load too, marked hidden. Takes effect on the next Load.",
    });
    this.storePath = h("code", { class: "store-path", testid: "store-path", attrs: { dir: "ltr" } });
    this.storeSize = h("span", { class: "store-size", testid: "store-size" });
    this.error = h("div", { class: "form-error", testid: "settings-error", attrs: { role: "alert" } });
    this.error.hidden = true;

    this.save = button("Save", () => this.doSave(), { testid: "settings-save", variant: "primary" });
    const cancel = button("Cancel", () => this.el.close(), { testid: "settings-cancel" });

    this.forgetBtn = button("Forget everything…", () => this.showConfirm(true), { testid: "forget-everything", variant: "danger" });
    this.confirmBox = h(
      "div",
      { class: "confirm-box", testid: "forget-confirm-box", attrs: { role: "alertdialog", "aria-label": "Confirm forget everything" } },
      h("p", {
        text: "Disconnect every provider and delete all settings, client secrets, tokens, cached data and the item store from this computer? This cannot be undone.",
      }),
      h(
        "div",
        { class: "confirm-actions" },
        button("Keep everything", () => this.showConfirm(false), { testid: "forget-cancel" }),
        button("Forget everything", () => this.doForget(), { testid: "forget-confirm", variant: "danger" }),
      ),
    );
    this.confirmBox.hidden = true;

    this.el = h(
      "dialog",
      { class: "dialog settings-dialog", testid: "settings-dialog", attrs: { "aria-labelledby": "settings-title" } },
      h(
        "form",
        { attrs: { method: "dialog" } },
        h("h2", { class: "dialog-title", text: "Settings", attrs: { id: "settings-title" } }),
        h("div", { class: "settings-scroll" },
          h("div", { class: "provider-grid" }, ...providerSections),
          h(
            "fieldset",
            { class: "general-settings" },
            h("legend", { text: "Sign-in and cache" }),
            h(
              "div",
              { class: "field" },
              h("span", { class: "field-label", text: "Sign in with" }),
              h(
                "div",
                { class: "radio-row" },
                h("label", { class: "radio" }, this.modePopup, h("span", { text: "A window inside Junction" })),
                h("label", { class: "radio" }, this.modeBrowser, h("span", { text: "My system browser" })),
              ),
              this.modeNote,
            ),
            h("div", { class: "field-row" },
              h("label", { class: "field field-port", attrs: { for: "redirect-port" } }, h("span", { class: "field-label", text: "Redirect port" }), this.port, this.portNote),
              h("label", { class: "field field-grow", attrs: { for: "redis-url" } }, h("span", { class: "field-label", text: "Redis URL" }), this.redis, this.redisNote),
            ),
            this.otherEnv,
          ),
          h(
            "fieldset",
            { class: "store-settings" },
            h("legend", { text: "Loaded items" }),
            h(
              "div",
              { class: "field" },
              h("span", { class: "field-label" }, "Item store ", this.storeSize),
              this.storePath,
              h("div", { class: "field-note", text: "Every loaded item is kept here, so the table opens with them and junction-cli can export them." }),
            ),
            h(
              "div",
              { class: "field" },
              h("label", { class: "checkbox", attrs: { for: "hubspot-archived" } }, this.archived, h("span", { text: "Include archived records" })),
              this.archivedNote,
            ),
          ),
          h("section", { class: "danger-zone" }, h("div", { class: "danger-text" }, h("strong", { text: "Forget everything" }), h("span", { text: "Sign out everywhere and remove every trace of Junction's data on this computer." })), this.forgetBtn),
          this.confirmBox,
        ),
        this.error,
        h("div", { class: "dialog-actions" }, cancel, this.save),
      ),
    );
    this.el.querySelector("form")!.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.doSave();
    });
    this.el.addEventListener("close", () => {
      // Never leave a typed secret lying around in a closed dialog.
      for (const f of this.fields.values()) f.secret.value = "";
      this.showConfirm(false);
    });
  }

  async open(): Promise<void> {
    try {
      this.fill(await this.backend.getSettings());
    } catch (e) {
      toast(`Could not read settings: ${toIpcError(e).message}`, "error");
      return;
    }
    this.error.hidden = true;
    if (!this.el.open) this.el.showModal();
  }

  private fill(v: SettingsView): void {
    this.view = v;
    for (const p of v.providers) {
      const f = this.fields.get(p.id);
      if (!f) continue;
      f.legend.textContent = p.name;
      f.clientId.value = p.client_id;
      const idEnv = overrides(p.env_overrides, /CLIENT_ID/);
      setOverride(f.clientId, f.clientIdNote, idEnv);
      f.secret.value = "";
      f.secretState.textContent = p.client_secret_set ? "set" : "not set";
      f.secretState.classList.toggle("badge-ok", p.client_secret_set);
      const secretEnv = overrides(p.env_overrides, /SECRET/);
      setOverride(f.secret, f.secretNote, secretEnv);
      f.secret.placeholder = p.client_secret_set
        ? "Enter a new secret to replace it"
        : p.client_secret_required
          ? "Paste the client secret (required)"
          : "Paste the client secret (optional)";
    }
    (v.sign_in_mode === "browser" ? this.modeBrowser : this.modePopup).checked = true;
    const modeEnv = overrides(v.env_overrides, /SIGN_IN|MODE/);
    setOverride(this.modePopup, this.modeNote, modeEnv);
    this.modeBrowser.disabled = !!modeEnv;
    this.port.min = String(v.redirect_ports[0]);
    this.port.max = String(v.redirect_ports[1]);
    this.port.value = String(v.redirect_port);
    const portEnv = overrides(v.env_overrides, /PORT/);
    this.port.disabled = !!portEnv;
    this.portNote.textContent = portEnv ? `Set by ${portEnv}` : "Where sign-in redirects back to.";
    this.portNote.classList.toggle("env-note", !!portEnv);
    this.redis.value = v.redis_url ?? "";
    setOverride(this.redis, this.redisNote, overrides(v.env_overrides, /REDIS/));
    const known = /CLIENT_ID|SECRET|SIGN_IN|MODE|PORT|REDIS|ARCHIVED/;
    const providerEnv = v.providers.flatMap((p) => p.env_overrides);
    const rest = v.env_overrides.filter((n) => !known.test(n) && !providerEnv.includes(n));
    this.otherEnv.hidden = rest.length === 0;
    this.otherEnv.textContent = rest.length ? `Also set by the environment: ${rest.join(", ")}` : "";
    this.archived.checked = v.hubspot_archived;
    const archivedEnv = overrides(v.env_overrides, /ARCHIVED/);
    this.archived.disabled = !!archivedEnv;
    this.archivedNote.classList.toggle("env-note", !!archivedEnv);
    if (archivedEnv) this.archivedNote.textContent = `Set by ${archivedEnv}`;
    this.storePath.textContent = v.store.path;
    this.storePath.title = v.store.path;
    this.storeSize.textContent = formatBytes(v.store.size_bytes);
    this.storeSize.className = "badge store-size";
  }

  private input(): SettingsInput {
    return {
      providers: PROVIDER_IDS.map((id) => ({ id, client_id: this.fields.get(id)!.clientId.value.trim() })),
      sign_in_mode: (this.modeBrowser.checked ? "browser" : "popup") as SignInMode,
      redirect_port: Number(this.port.value),
      // Unchanged URLs come back with the password as "***"; the backend keeps the
      // stored password when it sees that placeholder.
      redis_url: this.redis.value.trim() || null,
      // Sent only when the box can be changed: an environment override decides then.
      hubspot_archived: this.archived.disabled ? null : this.archived.checked,
    };
  }

  private async doSave(): Promise<void> {
    this.error.hidden = true;
    this.save.disabled = true;
    try {
      let v = await this.backend.saveSettings(this.input());
      let secrets = 0;
      for (const [id, f] of this.fields) {
        const secret = f.secret.value;
        if (!secret || f.secret.disabled) continue;
        f.secret.value = ""; // cleared before the call: the value never lingers
        await this.backend.setClientSecret(id, secret);
        secrets++;
      }
      if (secrets) v = await this.backend.getSettings();
      this.fill(v);
      this.opts.onSaved();
      this.el.close();
      toast("Settings saved.", "success");
    } catch (e) {
      this.error.textContent = toIpcError(e).message;
      this.error.hidden = false;
    } finally {
      this.save.disabled = false;
    }
  }

  private showConfirm(on: boolean): void {
    this.confirmBox.hidden = !on;
    this.forgetBtn.hidden = on;
    if (on) this.confirmBox.querySelector<HTMLButtonElement>('[data-testid="forget-cancel"]')?.focus();
  }

  private async doForget(): Promise<void> {
    try {
      await this.backend.forgetEverything();
      this.el.close();
      this.opts.onForgotten();
      toast("Everything was forgotten. Junction is back to a fresh start.", "success");
    } catch (e) {
      this.error.textContent = toIpcError(e).message;
      this.error.hidden = false;
    }
  }

  get current(): SettingsView | null {
    return this.view;
  }
}

function setOverride(input: HTMLInputElement, note: HTMLElement, envName: string | null): void {
  input.disabled = !!envName;
  note.hidden = !envName;
  note.textContent = envName ? `Set by ${envName}` : "";
}
