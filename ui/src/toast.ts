// Transient notifications, bottom right. Errors stay longer and are announced
// assertively to screen readers; successes politely.
import { h, icon } from "./dom";

let host: HTMLElement | null = null;

export function mountToasts(parent: HTMLElement): void {
  host = h("div", { class: "toasts", attrs: { "aria-live": "polite" } });
  parent.append(host);
}

export type ToastKind = "success" | "error" | "info" | "warning";

export function toast(message: string, kind: ToastKind = "info"): void {
  if (!host) return;
  const el = h(
    "div",
    { class: `toast toast-${kind}`, testid: "toast", attrs: { role: kind === "error" ? "alert" : "status" } },
    icon(kind === "success" ? "check" : kind === "info" ? "inbox" : "warning", 16),
    h("span", { class: "toast-text", text: message }),
  );
  const close = h("button", { class: "toast-close", attrs: { "aria-label": "Dismiss", type: "button" } }, icon("close", 14));
  el.append(close);
  const remove = () => {
    el.classList.add("leaving");
    setTimeout(() => el.remove(), 180);
  };
  close.addEventListener("click", remove);
  host.append(el);
  // Keep at most 4 on screen; the oldest go first.
  while (host.children.length > 4) host.firstElementChild?.remove();
  setTimeout(remove, kind === "error" ? 9000 : 5000);
}
