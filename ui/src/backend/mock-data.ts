// Deterministic fake items for the mock backend: the same (provider, index) always
// gives the same item, so browser tests and benchmarks can assert on real content.
// Names deliberately include accents, RTL scripts, CJK and very long strings because
// those are what break tables.
import type { IntegrationItem_Serialize as IntegrationItem, ProviderId } from "./bindings";

/** Share of a load's items per provider; loading all three gives exactly N. */
export const PROVIDER_SHARE: Record<ProviderId, number> = { hubspot: 0.4, airtable: 0.35, notion: 0.25 };

export const PROVIDER_TYPES: Record<ProviderId, string[]> = {
  hubspot: ["contact", "company", "deal", "ticket"],
  airtable: ["base", "table", "record"],
  notion: ["page", "database"],
};

/** Cumulative share of each type, as in real accounts (many records, few bases). */
const TYPE_CUMULATIVE: Record<ProviderId, number[]> = {
  hubspot: [0.45, 0.6, 0.85, 1],
  airtable: [0.02, 0.1, 1],
  notion: [0.85, 1],
};

const FIRST = [
  "Zoë", "José", "Ana", "Björn", "Chloé", "Léa", "Mika", "Noah", "Oliver", "Priya", "Søren",
  "Émilie", "Ines", "Kenji", "Łukasz", "Mateo", "Nadia", "Raphaël", "Sven", "Tomás", "Yusuf",
  "محمد", "فاطمة", "דוד", "שרה", "李", "さくら", "Αθηνά", "Ольга",
];
const LAST = [
  "Müller", "Álvarez", "Okafor", "Nakamura", "García", "Dubois", "Kowalski", "Andersson",
  "O'Brien", "Nguyễn", "Schröder", "Fernández", "Lindqvist", "Rossi", "Smith", "Øberg",
  "الأحمد", "الحسيني", "כהן", "לוי", "小龙", "Παπαδοπούλου", "Иванова",
];
const COMPANY = [
  "Acme Corporation", "Björk & Söner AB", "Globex", "Initech", "Umbrella Holdings",
  "Société Générale des Eaux", "Stark Industries", "Wayne Enterprises", "Zürich Analytics GmbH",
  "شركة النور للتجارة", "חברת אור בע״מ", "北京科技有限公司", "Hooli", "Pied Piper", "Vandelay Industries",
  "Nordisk Fjäder", "Café Müller", "Oceanic Airlines",
];
const COMPANY_SUFFIX = ["", "", " GmbH", " Inc.", " Ltd", " SA", " (EMEA)", " Holdings", " Labs", " & Co."];
const DEAL_WORDS = ["Renewal", "Expansion", "New business", "Upsell", "Pilot", "Migration", "Support plan"];
const TICKET = [
  "Cannot log in after password reset", "Invoice shows wrong VAT", "Export to CSV is empty",
  "Feature request: dark mode", "Sync stuck at 99 %", "Webhook retries too often",
  "لا يمكن تسجيل الدخول", "הייצוא נכשל",
];
const BASES = ["Product Roadmap", "Content Calendar", "Hiring Pipeline", "Inventory", "Événements 2025", "CRM Lite"];
const TABLES = ["Tasks", "Ideas", "Candidates", "Products", "Orders", "Venues", "Authors"];
const PAGES = [
  "Meeting notes", "Onboarding guide", "Q3 planning", "Design review", "Reading list",
  "Retrospective", "Café menu ideas", "ملاحظات الاجتماع", "סיכום פגישה", "设计评审", "Weekly sync",
];
const WORKSPACES = ["Engineering", "Marketing", "Ops", "Personal", "Équipe Paris"];
const LONG_SUFFIX =
  " — includes premium support, onboarding for every regional subsidiary across EMEA, APAC and the Americas, and a dedicated success manager";

/** Small fast PRNG (mulberry32) seeded per item so generation is order-independent. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function hex(r: () => number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += "0123456789abcdef"[Math.floor(r() * 16)];
  return s;
}

const T0 = Date.UTC(2019, 0, 1);
const SPAN = Date.UTC(2025, 5, 1) - T0;

function iso(ms: number): string {
  // RFC 3339 UTC without milliseconds, like the Rust side writes.
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function personName(r: () => number): string {
  return `${pick(r, FIRST)} ${pick(r, LAST)}`;
}

const PROVIDER_SEED: Record<ProviderId, number> = { hubspot: 1, airtable: 2, notion: 3 };

function itemRng(provider: ProviderId, index: number): () => number {
  return rng(PROVIDER_SEED[provider] * 1_000_003 + index * 7919);
}

function typeOfRoll(provider: ProviderId, roll: number): string {
  return PROVIDER_TYPES[provider][TYPE_CUMULATIVE[provider].findIndex((c) => roll < c)]!;
}

/** The type of makeItem(provider, index), without making the item (one random draw). */
export function typeOf(provider: ProviderId, index: number): string {
  return typeOfRoll(provider, itemRng(provider, index)());
}

/** The index-th item of a provider's generated dataset. */
export function makeItem(provider: ProviderId, index: number): IntegrationItem {
  const r = itemRng(provider, index);
  const types = PROVIDER_TYPES[provider];
  const type = typeOfRoll(provider, r());
  const created = T0 + Math.floor(r() * SPAN);
  const modified = created + Math.floor(r() * (T0 + SPAN - created));
  const id = provider === "hubspot" ? String(1000 + index) : provider === "airtable" ? `${type.slice(0, 3)}${hex(r, 14)}` : `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`;
  let name: string | null;
  let parent: string | null = null;
  let parentId: string | null = null;
  let url: string | null;
  let directory = false;
  const properties: Record<string, string> = {};

  if (provider === "hubspot") {
    const company = pick(r, COMPANY) + pick(r, COMPANY_SUFFIX);
    if (type === "contact") {
      name = personName(r);
      properties.email = `${name.split(" ")[0]!.normalize("NFD").replace(/[^a-zA-Z]/g, "").toLowerCase() || "contact"}${index}@example.com`;
      properties.lifecyclestage = pick(r, ["lead", "subscriber", "customer", "opportunity"]);
      parent = company;
    } else if (type === "company") {
      name = company;
      properties.domain = `${company.normalize("NFD").replace(/[^a-zA-Z]/g, "").toLowerCase() || "company"}.example`;
      properties.industry = pick(r, ["Software", "Retail", "Manufacturing", "Finance"]);
    } else if (type === "deal") {
      name = `${pick(r, DEAL_WORDS)} — ${company} ${2020 + Math.floor(r() * 6)}`;
      if (r() < 0.08) name += LONG_SUFFIX;
      properties.amount = String(Math.round(r() * 200_000));
      properties.dealstage = pick(r, ["appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost"]);
      parent = company;
    } else {
      name = pick(r, TICKET);
      properties.hs_ticket_priority = pick(r, ["LOW", "MEDIUM", "HIGH"]);
      parent = company;
    }
    parentId = parent ? String(100 + Math.floor(r() * 900)) : null;
    url = `https://app.hubspot.com/contacts/4242/record/0-${types.indexOf(type) + 1}/${id}`;
  } else if (provider === "airtable") {
    const base = pick(r, BASES);
    const table = pick(r, TABLES);
    if (type === "base") {
      name = base;
      directory = true;
    } else if (type === "table") {
      name = table;
      parent = base;
      directory = true;
    } else {
      name = r() < 0.3 ? personName(r) : `${table.slice(0, -1)} #${index}`;
      parent = `${base} / ${table}`;
      properties.Status = pick(r, ["Todo", "In progress", "Done"]);
      properties.Owner = personName(r);
    }
    parentId = parent ? `app${hex(r, 14)}` : null;
    url = `https://airtable.com/app${hex(r, 14)}/tbl${hex(r, 14)}/${id}`;
  } else {
    const ws = pick(r, WORKSPACES);
    if (type === "database") {
      name = `${pick(r, TABLES)} database`;
      directory = true;
    } else {
      name = pick(r, PAGES);
      if (r() < 0.05) name += LONG_SUFFIX;
    }
    parent = r() < 0.5 ? ws : `${ws} / ${pick(r, PAGES)}`;
    parentId = hex(r, 32);
    url = `https://www.notion.so/${(name ?? "page").replace(/[^A-Za-z0-9]+/g, "-")}-${id.replace(/-/g, "")}`;
    properties.icon = pick(r, ["📄", "🗂️", "📝", "🚀"]);
  }
  // A few records without a name or dates, as real APIs sometimes return.
  if (r() < 0.01) name = null;
  const noDates = r() < 0.02;
  return {
    id,
    type,
    directory,
    parent_path_or_name: parent,
    parent_id: parentId,
    name,
    creation_time: noDates ? null : iso(created),
    last_modified_time: noDates ? null : iso(modified),
    url,
    children: directory ? [] : null,
    mime_type: null,
    delta: null,
    drive_id: null,
    visibility: true,
    provider,
    properties,
    associations: provider === "hubspot" ? {} : null,
  };
}
