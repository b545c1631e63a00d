// The conformance table: per group, how many of its test files pass, the files that fail with
// their first failure, and the groups that were not run with the reason.
import { CROSS, GROUPS, type Group, groupOf, notApplicable } from "./groups.js";

export interface FileOutcome {
  rel: string;
  /** "pass" / "fail"; "n/a" when the file's group is not applicable. */
  status: "pass" | "fail" | "n/a";
  /** test blocks run and failures, for the detail line. */
  tests: number;
  failed: number;
  /** The first failure ("test name: reason"), or the reason the group is not applicable. */
  detail: string | null;
  /** Capabilities the file requires (for the cross rows). */
  requires: string[];
}

export interface GroupRow {
  name: string;
  files: number;
  passing: number;
  /** Why the group is not run; null when it is. */
  na: string | null;
  extra: boolean;
}

export function tabulate(outcomes: readonly FileOutcome[], supported: ReadonlySet<string>): GroupRow[] {
  const rows: GroupRow[] = [];
  for (const g of GROUPS) {
    const mine = outcomes.filter((o) => groupOf(o.rel) === g);
    if (mine.length === 0) continue;
    rows.push({
      name: g.name,
      files: mine.length,
      passing: mine.filter((o) => o.status === "pass").length,
      na: notApplicable(g, supported),
      extra: g.extra === true,
    });
  }
  return rows;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The text the CLI prints. */
export function formatReport(outcomes: readonly FileOutcome[], supported: ReadonlySet<string>): string {
  const rows = tabulate(outcomes, supported);
  const out: string[] = [];
  const w = Math.max(28, ...rows.map((r) => r.name.length + 2));
  out.push(`${pad("group", w)}files  passing`);
  const line = (r: GroupRow) =>
    `${pad(r.name, w)}${pad(String(r.files), 7)}${r.na === null ? r.passing : "n/a"}`;
  for (const r of rows.filter((x) => !x.extra && x.na === null)) out.push(line(r));
  const run = outcomes.filter((o) => o.status !== "n/a");
  const listed = rows.filter((x) => !x.extra && x.na === null);
  const total = listed.reduce((a, r) => a + r.files, 0);
  const passing = listed.reduce((a, r) => a + r.passing, 0);
  out.push(`${pad("issue 19's groups, total", w)}${pad(String(total), 7)}${passing}`);
  const extras = rows.filter((x) => x.extra && x.na === null);
  if (extras.length > 0) {
    out.push("", "other extensions the interpreter has (not in issue 19's list):");
    for (const r of extras) out.push(line(r));
  }
  out.push("", "files requiring (also counted in their group above):");
  for (const c of CROSS) {
    const mine = run.filter((o) => o.requires.includes(c.capability));
    out.push(
      `${pad(c.name, w)}${pad(String(mine.length), 7)}${mine.filter((o) => o.status === "pass").length}`,
    );
  }
  const na = rows.filter((x) => x.na !== null);
  if (na.length > 0) {
    out.push("", "not applicable (not run):");
    for (const r of na) out.push(`${pad(r.name, w)}${pad(String(r.files), 7)}${r.na}`);
  }
  const failing = run.filter((o) => o.status === "fail");
  if (failing.length > 0) {
    out.push("", "failing files (first failure):");
    for (const o of failing) out.push(`  ${o.rel} [${o.failed}/${o.tests}]: ${o.detail ?? ""}`);
  }
  return out.join("\n");
}

export type { Group };

/** The table as Markdown rows (group | files | passing | notes), for docs/rfc-status.md. */
export function formatMarkdown(outcomes: readonly FileOutcome[], supported: ReadonlySet<string>): string {
  const rows = tabulate(outcomes, supported);
  const out = ["| group | files | passing |", "|---|---|---|"];
  const listed = rows.filter((x) => !x.extra && x.na === null);
  for (const r of listed) out.push(`| ${r.name} | ${r.files} | ${r.passing} |`);
  const total = listed.reduce((a, r) => a + r.files, 0);
  const passing = listed.reduce((a, r) => a + r.passing, 0);
  out.push(
    `| **issue 19's groups** | **${total}** | **${passing}** (${((100 * passing) / Math.max(1, total)).toFixed(0)} %) |`,
  );
  const run = outcomes.filter((o) => o.status !== "n/a");
  for (const c of CROSS) {
    const mine = run.filter((o) => o.requires.includes(c.capability));
    out.push(
      `| (files requiring ${c.name}) | ${mine.length} | ${mine.filter((o) => o.status === "pass").length} |`,
    );
  }
  for (const r of rows.filter((x) => x.extra && x.na === null))
    out.push(`| ${r.name} (not in issue 19) | ${r.files} | ${r.passing} |`);
  for (const r of rows.filter((x) => x.na !== null))
    out.push(`| ${r.name} | ${r.files} | not run: ${r.na} |`);
  return out.join("\n");
}
