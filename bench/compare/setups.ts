// The Yubin setups a compare script runs beside Dovecot or Postfix in the same run (issue 17):
// `--yubin sqlite,sqlite:w2,postgres,postgres:w2` — the store (bench/backend.ts) and, after ":w",
// the worker processes (`yubin serve --workers N`). Each setup's figure is printed with its ratio
// to the other server's and to the one-process SQLite figure ("sqlite"), the reference.
export interface YubinSetup {
  /** As given: "sqlite", "postgres:w2". */
  name: string;
  /** The bench script's arguments for this setup. */
  args: string[];
}

/** The compare scripts' flags (spread into parseArgs options). */
export const setupArgs = {
  // Comma-separated setups; default: the one-process SQLite server alone (as before issue 17).
  yubin: { type: "string", default: "sqlite" },
  // With postgres setups: an existing database instead of a private cluster per run.
  "postgres-url": { type: "string" },
} as const;

/** The one every other setup is set beside. */
export const REFERENCE = "sqlite";

export function parseSetups(list: string, postgresUrl: string | undefined): YubinSetup[] {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0 || names.length > 8)
    throw new Error("--yubin: 1 to 8 setups, e.g. sqlite,postgres:w2");
  const seen = new Set<string>();
  return names.map((name) => {
    const m = /^(sqlite|postgres)(?::w(\d{1,2}))?$/.exec(name);
    if (!m?.[1]) throw new Error(`--yubin: ${JSON.stringify(name)} is not sqlite|postgres[:wN]`);
    if (seen.has(name)) throw new Error(`--yubin: ${name} twice`);
    seen.add(name);
    const workers = Number(m[2] ?? "1");
    if (workers < 1 || workers > 16) throw new Error(`--yubin: ${name}: 1 to 16 workers`);
    const args = ["--backend", m[1], "--workers", String(workers)];
    if (m[1] === "postgres" && postgresUrl) args.push("--postgres-url", postgresUrl);
    return { name, args };
  });
}

/** Round r's order of the participants: rotated by r, so that no one always runs first or last
 *  while the machine's load drifts. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  return items.map((_, i) => items[(i + round) % items.length]!);
}

const x = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "n/a";

/** One figure for each setup, with its ratio to the other server's and to sqlite's. `timeLike`:
 *  lower is better (latency, CPU): the ratio to the other server is then other / Yubin, so that
 *  above 1 means Yubin is better, as in the single-setup summaries. */
export function figureRows(opts: {
  label: string;
  other: { name: string; value: number };
  setups: { name: string; value: number }[];
  digits?: number;
  unit?: string;
  timeLike?: boolean;
}): string[] {
  const d = opts.digits ?? 1;
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const unit = opts.unit ? ` ${opts.unit}` : "";
  const ref = opts.setups.find((s) => s.name === REFERENCE);
  const width = Math.max(...opts.setups.map((s) => s.name.length));
  const rows = [`  ${opts.label}: ${opts.other.name} ${f(opts.other.value)}${unit}`];
  for (const s of opts.setups) {
    const vsOther = opts.timeLike
      ? `${opts.other.name}/Yubin ${x(opts.other.value, s.value)}`
      : `Yubin/${opts.other.name} ${x(s.value, opts.other.value)}`;
    const vsRef = ref && s !== ref ? `  /${REFERENCE} ${x(s.value, ref.value)}` : "";
    rows.push(`    Yubin ${s.name.padEnd(width)} ${f(s.value).padStart(9)}${unit}  ${vsOther}${vsRef}`);
  }
  return rows;
}
