// A bench's command line: node's parseArgs, plus --help (-h), which prints what the bench
// measures and every option with its default, then exits 0 without running anything. What it
// measures is the bench file's own head comment, and the option list is made from the table
// parseArgs reads, so neither can drift from the code.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** True when the command line asks for help (before a `--` that ends the options). */
export function helpRequested(argv: readonly string[] = process.argv.slice(2)): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/** The leading `//` comment of the file at `moduleUrl` (a bench's import.meta.url), unprefixed. */
export function headComment(moduleUrl: string): string {
  const lines: string[] = [];
  for (const line of readFileSync(fileURLToPath(moduleUrl), "utf8").split("\n")) {
    if (!line.startsWith("//")) break;
    lines.push(line.replace(/^\/\/ ?/, ""));
  }
  return lines.join("\n");
}

/** The help text: `about` (the usage line and what the bench measures), then the options;
 *  `internal` ones (a bench's own child processes use them) are left out. */
export function usageText(about: string, options: Options, internal: readonly string[] = []): string {
  const rows: [string, string][] = [];
  for (const [name, o] of Object.entries(options)) {
    if (internal.includes(name)) continue;
    const flag = `--${name}${o.type === "string" ? " VALUE" : ""}`;
    const def = o.default;
    const shown =
      def === undefined || def === "" || def === false
        ? ""
        : `default ${Array.isArray(def) ? def.join(",") : def}`;
    rows.push([flag, shown]);
  }
  rows.push(["--help, -h", "this text"]);
  const width = Math.max(...rows.map(([f]) => f.length));
  return `${about.trim()}\noptions:\n${rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`.trimEnd()).join("\n")}\n`;
}

/** parseArgs(config), after printing the help and exiting 0 when --help or -h is given: the head
 *  comment of the bench at `moduleUrl` (its import.meta.url) and the options. */
export function benchArgs<const T extends ParseArgsConfig & { options: Options }>(
  moduleUrl: string,
  config: T,
  internal: readonly string[] = [],
) {
  if (helpRequested(config.args ?? process.argv.slice(2))) {
    process.stdout.write(usageText(headComment(moduleUrl), config.options, internal));
    process.exit(0);
  }
  return parseArgs(config);
}

/** For a bench that reads its few flags itself (its head comment says which): prints that
 *  comment and exits 0 on --help or -h. */
export function exitWithHelpIfAsked(moduleUrl: string): void {
  if (!helpRequested()) return;
  process.stdout.write(`${headComment(moduleUrl).trim()}\n`);
  process.exit(0);
}
