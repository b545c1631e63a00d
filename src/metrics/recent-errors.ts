// The last warnings and errors the server logged, kept in memory for `yubin status` (its
// /status answer): an admin asking "is anything wrong?" sees them without reading the log. A
// ring of fixed size, each entry bounded (its message and a few short scalar fields), so a
// flood of errors costs nothing more than the newest `size` of them.
import type { LogFields, Logger } from "../log/logger.js";

export interface RecentError {
  time: string;
  level: "warn" | "error";
  msg: string;
  fields: Record<string, string | number | boolean>;
}

const MAX_FIELDS = 8;
const MAX_TEXT = 200;
// Never kept, whatever the logger's own redaction does with them.
const SECRET = /pass|secret|token|authorization/i;

export class RecentErrors {
  private readonly ring: RecentError[] = [];
  private next = 0;

  constructor(private readonly size = 50) {}

  add(level: "warn" | "error", msg: string, fields: LogFields | undefined): void {
    const kept: RecentError["fields"] = {};
    let n = 0;
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (n >= MAX_FIELDS) break;
      if (SECRET.test(k)) continue;
      if (typeof v === "number" || typeof v === "boolean") kept[k] = v;
      else if (typeof v === "string") kept[k] = v.slice(0, MAX_TEXT);
      else if (v instanceof Error) kept[k] = v.message.slice(0, MAX_TEXT);
      else continue;
      n++;
    }
    const e: RecentError = {
      time: new Date().toISOString(),
      level,
      msg: msg.slice(0, MAX_TEXT),
      fields: kept,
    };
    if (this.ring.length < this.size) this.ring.push(e);
    else this.ring[this.next] = e;
    this.next = (this.next + 1) % this.size;
  }

  /** Oldest first. */
  list(): RecentError[] {
    return this.ring.length < this.size
      ? [...this.ring]
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}

/** `inner`, whose warnings and errors (its children's too) are also kept in `recent`. */
export function recordingLogger(inner: Logger, recent: RecentErrors, base: LogFields = {}): Logger {
  return {
    debug: (m, f) => inner.debug(m, f),
    info: (m, f) => inner.info(m, f),
    warn(m, f) {
      inner.warn(m, f);
      recent.add("warn", m, { ...base, ...f });
    },
    error(m, f) {
      inner.error(m, f);
      recent.add("error", m, { ...base, ...f });
    },
    child: (f) => recordingLogger(inner.child(f), recent, { ...base, ...f }),
  };
}
