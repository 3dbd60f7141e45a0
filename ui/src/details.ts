// Details pane for the selected row: every field of the item (get_item asks the store
// for it), its properties, and actions. Arrow keys in the table keep it in sync with
// the selection.
import { button, h, icon } from "./dom";
import type { IntegrationItem } from "./backend";
import { formatJsonValue, formatTime } from "./table/format";
import { toast } from "./toast";
import { providerName } from "./providers";

export interface DetailsOptions {
  onOpenUrl(url: string): void;
  onClose(): void;
}

const FIELDS: [keyof IntegrationItem, string][] = [
  ["id", "ID"],
  ["type", "Type"],
  ["provider", "Provider"],
  ["directory", "Directory"],
  ["parent_path_or_name", "Parent"],
  ["parent_id", "Parent ID"],
  ["creation_time", "Created"],
  ["last_modified_time", "Modified"],
  ["url", "URL"],
  ["children", "Children"],
  ["mime_type", "MIME type"],
  ["delta", "Delta"],
  ["drive_id", "Drive ID"],
  ["visibility", "Visible"],
];

export class DetailsPane {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private title: HTMLElement;
  private subtitle: HTMLElement;
  private openBtn: HTMLButtonElement;
  private item: IntegrationItem | null = null;
  /** The item shown, as JSON: the same item read again is not drawn again. */
  private shownJson = "";

  constructor(opts: DetailsOptions) {
    this.title = h("h2", { class: "details-title", attrs: { dir: "auto" } });
    this.subtitle = h("div", { class: "details-subtitle" });
    this.body = h("div", { class: "details-body" });
    this.openBtn = button("Open in browser", () => this.item?.url && opts.onOpenUrl(this.item.url), {
      testid: "details-open",
      variant: "primary",
    });
    this.openBtn.prepend(icon("external", 14));
    const copyBtn = button("Copy as JSON", () => this.copy(), { testid: "details-copy" });
    copyBtn.prepend(icon("copy", 14));
    const close = h("button", { class: "icon-btn", testid: "details-close", attrs: { type: "button", "aria-label": "Close details" } }, icon("close", 16));
    close.addEventListener("click", () => opts.onClose());
    this.el = h(
      "aside",
      { class: "details-pane", testid: "details-pane", attrs: { "aria-label": "Item details" } },
      h("header", { class: "details-head" }, h("div", { class: "details-heading" }, this.title, this.subtitle), close),
      this.body,
      h("footer", { class: "details-actions" }, copyBtn, this.openBtn),
    );
    this.el.hidden = true;
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  show(item: IntegrationItem): void {
    const json = JSON.stringify(item);
    if (json === this.shownJson && this.isOpen) return; // keeps the pane's scroll position
    this.shownJson = json;
    this.item = item;
    this.title.textContent = item.name ?? "(untitled)";
    this.subtitle.textContent = `${providerName(item.provider)} · ${item.type ?? "item"}`;
    this.openBtn.disabled = !item.url;
    const fields = h("dl", { class: "kv" });
    for (const [key, label] of FIELDS) {
      const isTime = key === "creation_time" || key === "last_modified_time";
      fields.append(...row(label, valueText(item, key), isTime ? (item[key] as string | null) ?? undefined : undefined));
    }
    const props = Object.entries(item.properties ?? {});
    const propList = h("dl", { class: "kv", testid: "details-properties" });
    for (const [k, v] of props.sort(([a], [b]) => a.localeCompare(b))) propList.append(...row(k, formatJsonValue(v)));
    const sections: HTMLElement[] = [
      h("h3", { class: "section-title", text: "Fields" }),
      fields,
      h("h3", { class: "section-title", text: `Properties (${props.length})` }),
      props.length ? propList : h("p", { class: "muted", text: "This item has no properties." }),
    ];
    // Only providers with associations (HubSpot) send the field; others send null.
    const assoc = Object.entries(item.associations ?? {});
    if (item.associations) {
      const list = h("dl", { class: "kv", testid: "details-associations" });
      for (const [kind, ids] of assoc.sort(([a], [b]) => a.localeCompare(b))) {
        list.append(...row(`${kind} (${ids.length})`, ids.join(", ")));
      }
      sections.push(
        h("h3", { class: "section-title", text: "Associations" }),
        assoc.length ? list : h("p", { class: "muted", text: "This item has no associations." }),
      );
    }
    this.body.replaceChildren(...sections);
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
    this.item = null;
    this.shownJson = "";
  }

  /** The item shown (null when closed). */
  get current(): IntegrationItem | null {
    return this.item;
  }

  private async copy(): Promise<void> {
    if (!this.item) return;
    const text = JSON.stringify(this.item, null, 2);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API can be missing or denied (older WebKitGTK, no focus):
      // fall back to a hidden textarea and execCommand.
      const ta = h("textarea", { class: "clipboard-fallback" });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      const ok = document.execCommand("copy");
      ta.remove();
      if (!ok) return toast("Could not copy to the clipboard.", "error");
    }
    toast("Copied the item as JSON.", "success");
  }
}

function row(label: string, value: string, raw?: string): HTMLElement[] {
  const dd = h("dd", { attrs: { dir: "auto" } });
  if (value === "") dd.append(h("span", { class: "null", text: "—" }));
  else dd.textContent = value;
  // Times show local and the exact stored value (UTC) below it.
  if (raw) dd.append(h("div", { class: "raw", text: raw }));
  return [h("dt", { text: label }), dd];
}

function valueText(item: IntegrationItem, key: keyof IntegrationItem): string {
  const v = item[key];
  if (v === null || v === undefined) return "";
  if (key === "creation_time" || key === "last_modified_time") return formatTime(v as string) || String(v);
  if (key === "provider") return providerName(item.provider);
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (Array.isArray(v)) return v.length ? v.join(", ") : "none";
  return String(v);
}
