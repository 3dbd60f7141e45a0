// Export: pick a format and a scope; Rust then asks where in the native save dialog
// and streams the file from the item store. We send only the format and which rows:
// all (no query), or the query the table shows (search, chips, sort), which Rust
// exports in the table's order. Never a path (only the user chooses it), and never a
// list of keys.
import { button, h } from "./dom";
import { toIpcError, type Backend, type ExportFormat } from "./backend";
import type { ItemsPanel } from "./table/items-panel";
import { formatNumber } from "./table/format";
import { toast } from "./toast";

const FORMATS: { id: ExportFormat; label: string; note: string }[] = [
  { id: "json", label: "JSON", note: "One array of items" },
  { id: "ndjson", label: "NDJSON", note: "One item per line" },
  { id: "csv", label: "CSV", note: "For spreadsheets" },
  { id: "sqlite", label: "SQLite", note: "A database file" },
];

export class ExportDialog {
  readonly el: HTMLDialogElement;
  private allLabel: HTMLElement;
  private viewLabel: HTMLElement;
  private scopeAll: HTMLInputElement;
  private scopeView: HTMLInputElement;
  private confirm: HTMLButtonElement;
  private rawFormulas: HTMLInputElement;
  private rawField: HTMLElement;
  private busy = false;

  constructor(
    private backend: Backend,
    private panel: ItemsPanel,
  ) {
    const formatGroup = h("div", { class: "segmented", attrs: { role: "radiogroup", "aria-label": "Format" } });
    for (const f of FORMATS) {
      const input = h("input", { testid: `export-format-${f.id}`, attrs: { type: "radio", name: "export-format", value: f.id } });
      input.checked = f.id === "json";
      formatGroup.append(h("label", { class: "segment" }, input, h("span", { class: "segment-label", text: f.label }), h("span", { class: "segment-note", text: f.note })));
    }
    this.scopeAll = h("input", { testid: "export-scope-all", attrs: { type: "radio", name: "export-scope", value: "all" } });
    this.scopeView = h("input", { testid: "export-scope-view", attrs: { type: "radio", name: "export-scope", value: "view" } });
    this.allLabel = h("span");
    this.viewLabel = h("span");
    // CSV only: cells a spreadsheet would run as formulas get a leading ' unless asked.
    this.rawFormulas = h("input", { testid: "export-csv-raw-formulas", attrs: { type: "checkbox", id: "export-csv-raw-formulas" } });
    this.rawField = h(
      "div",
      { class: "field csv-formulas", testid: "export-csv-formulas" },
      h("label", { class: "checkbox", attrs: { for: "export-csv-raw-formulas" } }, this.rawFormulas, h("span", { text: "Keep cells that look like formulas as they are" })),
      h("div", {
        class: "field-note",
        text: "Off: a cell that starts with = + - @, a tab or a line break and is not a number gets a leading ' so a spreadsheet shows it instead of running it (contact form text can be anyone's). JSON, NDJSON and SQLite are never changed.",
      }),
    );
    this.rawField.hidden = true;
    formatGroup.addEventListener("change", () => {
      this.rawField.hidden = this.format() !== "csv";
    });
    this.confirm = button("Export…", () => this.run(), { testid: "export-confirm", variant: "primary" });
    const cancel = button("Cancel", () => this.el.close(), { testid: "export-cancel" });
    this.el = h(
      "dialog",
      { class: "dialog export-dialog", testid: "export-dialog", attrs: { "aria-labelledby": "export-title" } },
      h(
        "form",
        { attrs: { method: "dialog" } },
        h("h2", { class: "dialog-title", text: "Export items", attrs: { id: "export-title" } }),
        h("fieldset", {}, h("legend", { text: "Format" }), formatGroup, this.rawField),
        h(
          "fieldset",
          { class: "scope" },
          h("legend", { text: "Items" }),
          h("label", { class: "radio" }, this.scopeAll, this.allLabel),
          h("label", { class: "radio" }, this.scopeView, this.viewLabel),
        ),
        h("div", { class: "dialog-actions" }, cancel, this.confirm),
      ),
    );
    this.el.querySelector("form")!.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.run();
    });
  }

  open(): void {
    const panel = this.panel;
    const all = panel.grandTotal;
    if (all === 0) {
      toast("Nothing to export yet: load some items first.", "info");
      return;
    }
    this.allLabel.textContent = `All ${formatNumber(all)} ${all === 1 ? "item" : "items"}`;
    const view = panel.total;
    this.viewLabel.textContent = `The ${formatNumber(view)} ${view === 1 ? "item" : "items"} in view${panel.sorted ? ", in the shown order" : ""}`;
    this.scopeView.disabled = view === 0;
    // Default to what the user is looking at when a filter narrows it.
    (panel.hasFilters && view > 0 ? this.scopeView : this.scopeAll).checked = true;
    this.el.showModal();
  }

  private format(): ExportFormat {
    return (this.el.querySelector<HTMLInputElement>('input[name="export-format"]:checked')?.value ?? "json") as ExportFormat;
  }

  private async run(): Promise<void> {
    if (this.busy) {
      this.el.close();
      toast("An export is already running. Wait for it to finish, then export again.", "info");
      return;
    }
    const format = this.format();
    const raw = format === "csv" && this.rawFormulas.checked;
    // The query of the rows on screen: Rust exports exactly them, in their order.
    const query = this.scopeView.checked ? this.panel.shownQuery : null;
    this.el.close();
    this.busy = true;
    try {
      const res = await this.backend.exportItems(format, query, raw);
      if (res.outcome === "cancelled") return; // the user closed the save dialog: nothing to say
      toast(`Exported ${formatNumber(res.count)} ${res.count === 1 ? "item" : "items"} to ${res.path}`, "success");
    } catch (e) {
      toast(`Export failed: ${toIpcError(e).message}`, "error");
    } finally {
      this.busy = false;
    }
  }
}
