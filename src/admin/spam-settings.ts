// The filter's effective settings, read-only: every key of the sections that make up the defence
// against spam and abuse, with its value and its description from the config schema (so the page
// never drifts from the config file). Sections not in this build's schema are skipped.
import type { Section } from "../config/dsl.js";
import type { Config } from "../config/schema.js";
import { schema } from "../config/schema.js";
import { html, type SafeHtml } from "../http/html.js";

/** The sections shown, in this order (the ones that decide what happens to a message). */
export const FILTER_SECTIONS = ["spam", "rspamd", "antivirus", "dnsbl", "greylist", "limits"] as const;

/** Keys whose value is a credential: shown as set or not, never the value itself. */
const SECRET_KEY = /password|secret|token/i;

function shown(key: string, v: unknown): string {
  // Strings only: a number is never a credential ([spam] tokenCacheEntries, maxTokensGlobal).
  if (SECRET_KEY.test(key) && (typeof v === "string" || v === undefined))
    return v === "" || v === undefined ? "(not set)" : "(set)";
  if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.join(", ");
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (v === "") return "(empty)";
  return String(v);
}

export function settingsTables(config: Config): SafeHtml {
  const sections = schema as unknown as Record<string, Section | undefined>;
  const values = config as unknown as Record<string, Record<string, unknown> | undefined>;
  return html`${FILTER_SECTIONS.map((name) => {
    const section = sections[name];
    if (!section) return "";
    const value = values[name] ?? {};
    const rows = Object.entries(section).map(
      ([key, f]) =>
        html`<tr><td><code>${key}</code></td><td><code>${shown(key, value[key])}</code>${
          JSON.stringify(value[key]) === JSON.stringify(f.default) ? "" : html` <em>(changed)</em>`
        }</td><td>${f.doc}</td></tr>`,
    );
    return html`<h3 id="settings-${name}">[${name}]</h3>
<table class="settings"><thead><tr><th>Key</th><th>Value</th><th>What it does</th></tr></thead><tbody>${rows}</tbody></table>`;
  })}`;
}
