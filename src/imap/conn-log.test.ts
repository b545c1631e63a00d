// ConnectionLogger writes what the listener's logger's child({ conn, ip }) writes, line for line
// and field order included, for its own lines, a child's and a grandchild's.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FieldsLogger } from "../log/fields-logger.js";
import { createLogger, type Logger } from "../log/logger.js";
import { RecentErrors, recordingLogger } from "../metrics/recent-errors.js";
import { ConnectionLogger } from "./conn-log.js";

function serverLogger(level: "debug" | "info") {
  const lines: string[] = [];
  const recent = new RecentErrors(10);
  const write = (line: string) => lines.push(line.replace(/"time":"[^"]*",/, ""));
  const log = recordingLogger(createLogger({ level, format: "json", write }, { proto: "imap" }), recent);
  return { log, lines, recent: () => JSON.stringify(recent.list().map(({ time: _, ...e }) => e)) };
}

function exercise(log: Logger): void {
  log.debug("connected");
  log.info("login", { user: "bob", password: "x", conn: 99 });
  log.warn("slow", { err: new Error("boom") });
  const cmd = log.child({ tag: "a1" });
  cmd.info("select");
  cmd.error("failed", { ip: "198.51.100.1" });
  cmd.child({ mailbox: "INBOX" }).warn("deep");
}

test("ConnectionLogger writes the lines child({ conn, ip }) writes", () => {
  for (const level of ["debug", "info"] as const)
    for (const ip of ["192.0.2.7", undefined]) {
      const viaChild = serverLogger(level);
      exercise(viaChild.log.child({ conn: 7, ip }));
      const viaConn = serverLogger(level);
      exercise(new ConnectionLogger(viaConn.log, 7, ip));
      assert.ok(viaChild.lines.length >= 5);
      assert.deepEqual(viaConn.lines, viaChild.lines, `${level} ${ip}`);
      assert.equal(viaConn.recent(), viaChild.recent());
    }
});

test("ConnectionLogger is a FieldsLogger holding no fields object while idle", () => {
  const log = new ConnectionLogger(createLogger({ write: () => {} }), 3, "192.0.2.1");
  assert.ok(log instanceof FieldsLogger);
  assert.equal(log.conn, 3);
  // Its own properties: the parent, the shared empty fields, conn and ip; no per-connection object.
  const own = Object.values(log as unknown as Record<string, unknown>).filter(
    (v) => typeof v === "object" && v !== null && Object.keys(v).length > 0 && !("info" in v),
  );
  assert.deepEqual(own, []);
});
