// Global keyboard shortcuts. Arrow keys and Enter drive the table unless the user
// is typing in a field (the search box passes Up/Down through so you can search,
// then arrow into the results).

export interface KeyHandlers {
  move(delta: number): void;
  page(direction: 1 | -1): void;
  /** Home / End: the first or the last row of the result. */
  edge(toEnd: boolean): void;
  openSelected(): void;
  escape(): boolean;
  focusSearch(): void;
  startExport(): void;
}

export function installKeys(h: KeyHandlers): () => void {
  const onKey = (e: KeyboardEvent) => {
    // Keys that drive an input method (IME) composition belong to it: Enter there
    // commits the text, arrows pick a candidate.
    if (e.isComposing || e.keyCode === 229) return;
    const mod = e.ctrlKey || e.metaKey;
    const target = e.target as HTMLElement | null;
    const inDialog = !!target?.closest?.("dialog");
    if (mod && !e.altKey && !e.shiftKey && isKey(e, "f")) {
      e.preventDefault(); // also stops the webview's own find bar
      if (!inDialog) h.focusSearch();
      return;
    }
    if (mod && !e.altKey && !e.shiftKey && isKey(e, "e")) {
      e.preventDefault();
      if (!inDialog) h.startExport();
      return;
    }
    // Modal dialogs handle their own keys (Escape closes them natively).
    if (inDialog || document.querySelector("dialog[open]")) return;
    if (e.key === "Escape") {
      if (h.escape()) e.preventDefault();
      return;
    }
    const typing =
      target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || !!target?.isContentEditable;
    const inSearch = target instanceof HTMLInputElement && target.type === "search";
    if (typing && !inSearch) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      h.move(e.key === "ArrowDown" ? 1 : -1);
    } else if ((e.key === "PageDown" || e.key === "PageUp") && !typing) {
      e.preventDefault();
      h.page(e.key === "PageDown" ? 1 : -1);
    } else if ((e.key === "Home" || e.key === "End") && !typing && !e.altKey) {
      // In the search box they move the caret (typing); elsewhere they jump the table.
      e.preventDefault();
      h.edge(e.key === "End");
    } else if (e.key === "Enter" && !e.altKey && !mod) {
      // A button that has focus keeps its own Enter behaviour.
      if (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) return;
      e.preventDefault();
      h.openSelected();
    }
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}

/**
 * Letter shortcuts match the typed character, or the physical key (e.code), so
 * Ctrl+F / Ctrl+E also work on non-Latin layouts (Cyrillic, Greek, Hebrew…).
 */
function isKey(e: KeyboardEvent, letter: string): boolean {
  return e.key.toLowerCase() === letter || e.code === `Key${letter.toUpperCase()}`;
}
