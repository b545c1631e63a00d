import assert from "node:assert/strict";
import { test } from "node:test";
import { RecentErrors, recordingLogger } from "../metrics/recent-errors.js";
import { FieldsLogger } from "./fields-logger.js";
import { createLogger, type Logger } from "./logger.js";

/** The server's logger as app/start.ts builds it (JSON lines, recent errors kept), lines captured
 *  without their time. */
function serverLogger(level: "debug" | "info") {
  const lines: unknown[] = [];
  const recent = new RecentErrors(10);
  const write = (line: string) => {
    const { time: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
    lines.push(rest);
  };
  const log = recordingLogger(createLogger({ level, format: "json", write }, { node: "n1" }), recent);
  return { log, lines, recent: () => recent.list().map(({ time: _, ...e }) => e) };
}

function exercise(log: Logger): void {
  log.debug("connected");
  log.info("message accepted", { id: "X1", conn: 99, password: "hunter2" });
  log.warn("too many errors", { errors: 3, err: new Error("boom") });
  const letter = log.child({ cid: "C1" });
  letter.info("filed");
  letter.error("failed", { cid: "C2", n: 1 });
  letter.child({ stage: "sieve" }).warn("deep");
}

test("FieldsLogger writes what child() writes: the same lines, fields in the same order, same recent errors", () => {
  for (const level of ["debug", "info"] as const) {
    const viaChild = serverLogger(level);
    exercise(viaChild.log.child({ proto: "smtp", conn: 7, ip: "192.0.2.1" }));
    const viaFields = serverLogger(level);
    exercise(FieldsLogger.of(viaFields.log, { proto: "smtp", conn: 7, ip: "192.0.2.1" }));
    assert.ok(viaChild.lines.length >= 5);
    // deepStrictEqual compares keys in order through JSON.stringify below.
    assert.equal(JSON.stringify(viaFields.lines), JSON.stringify(viaChild.lines), level);
    assert.equal(JSON.stringify(viaFields.recent()), JSON.stringify(viaChild.recent()), level);
  }
});

test("FieldsLogger: a child of one merges into one level, the parent's fields untouched", () => {
  const { log, lines } = serverLogger("info");
  const session = FieldsLogger.of(log, { conn: 1 });
  const letter = FieldsLogger.of(session, { cid: "A" });
  letter.info("x", { n: 2 });
  session.info("y");
  assert.deepEqual(lines, [
    { level: "info", msg: "x", node: "n1", conn: 1, cid: "A", n: 2 },
    { level: "info", msg: "y", node: "n1", conn: 1 },
  ]);
});
