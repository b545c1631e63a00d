// Structured logging: one JSON line per event (conn id, protocol, user as fields), or a readable
// line when writing to a terminal. Never pass a password in fields; `redact` guards common names.
import { lineSink } from "./output-sink.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretKeys = new Set(["password", "pass", "secret", "token", "authorization"]);

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: "json" | "pretty";
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = rank[opts.level ?? "info"];
  const format = opts.format ?? (process.stdout.isTTY ? "pretty" : "json");
  // By default stdout, whose reader may die before we do: lineSink drops lines then (output-sink.ts).
  const write = opts.write ?? lineSink(process.stdout, (dropped) => droppedLine(format, dropped));

  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (rank[level] < min) return;
    write(formatLine(format, level, msg, redact({ ...base, ...fields })));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (f) => createLogger({ ...opts, format, write }, { ...base, ...f }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => {} });

function formatLine(format: "json" | "pretty", level: LogLevel, msg: string, fields: LogFields): string {
  if (format === "json") return JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? " " + extra : ""}`;
}

/** Written before the next line once a lagging reader caught up (output-sink.ts). */
function droppedLine(format: "json" | "pretty", dropped: number): string {
  return formatLine(format, "warn", "log lines dropped: the reader of the log fell behind", { dropped });
}

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (secretKeys.has(k.toLowerCase())) out[k] = "[redacted]";
    else if (v instanceof Error) out[k] = v.message;
    else out[k] = v;
  }
  return out;
}
