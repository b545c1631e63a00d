// Issue 18: a command that holds the event loop is named in the log (protocol, address, account,
// command), so the operator can find the connection that froze everyone.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { commandTable as imapCommands } from "../imap/commands/index.js";
import { RawClient } from "../imap/test-client.js";
import { createJmapHttpHandler } from "../jmap/http/handler.js";
import { METHODS } from "../jmap/methods.js";
import { createLogger } from "../log/logger.js";
import { commandTable as smtpCommands } from "../smtp/commands/index.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { once, replaceCommand } from "../testing/inject.js";
import { ActivityTracker } from "./activity.js";

let srv: TestServer;
const warnings: { msg: string; ms?: number; during?: string[] }[] = [];
before(async () => {
  srv = await startTestServer({
    config: { server: { eventLoopBlockWarnMs: 200 } },
    log: createLogger({ format: "json", level: "warn", write: (l) => warnings.push(JSON.parse(l)) }),
  });
});
after(() => srv.stop());

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the hostile computation
  }
}

/** The "event loop blocked" warning that names a suspect `naming` accepts. Others are passed
 *  over: on a loaded machine the process can lose its core for half a second, which the monitor
 *  rightly reports as a block with no command to blame (a CI run saw "ms":688,"during":[]). */
async function blockedWarning(naming: (d: string) => boolean): Promise<{ ms?: number; during?: string[] }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const w = warnings.find((x) => x.msg === "event loop blocked" && (x.during ?? []).some(naming));
    if (w) return w;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "event loop blocked" warning naming the command; got ${JSON.stringify(warnings)}`);
}

test("an IMAP command that blocks the loop 300 ms is named with its connection and account", async () => {
  warnings.length = 0;
  const c = await RawClient.connect(srv.ports.imaps!, { tls: true });
  await c.line();
  const login = await c.cmd("a1", `LOGIN ${srv.users[0]!.address} "${testPassword}"`);
  assert.match(login.at(-1)!, /^a1 OK/);
  const first = once();
  const restore = replaceCommand(
    imapCommands as Record<string, { run: (...a: never[]) => unknown }>,
    "NOOP",
    (orig) => ({
      ...orig,
      run: (...args: never[]) => {
        if (first()) busyWait(300);
        return orig.run(...args);
      },
    }),
  );
  try {
    assert.deepEqual(await c.cmd("a2", "NOOP"), ["a2 OK NOOP completed"]);
    const w = await blockedWarning((d) => d.includes("NOOP"));
    assert.ok((w.ms ?? 0) >= 200, `blocked ${w.ms} ms`);
    const line = (w.during ?? []).find((d) => d.includes("NOOP"));
    assert.ok(line, JSON.stringify(w));
    assert.match(
      line,
      new RegExp(`^imap 127\\.0\\.0\\.1 conn=\\d+ account=${srv.users[0]!.id} NOOP \\(\\d+ ms\\)$`),
    );
  } finally {
    restore();
    c.close();
  }
});

test("an SMTP command that blocks the loop is named too", async () => {
  warnings.length = 0;
  const c = await RawSmtpClient.connect({ port: srv.ports.smtp });
  await c.reply();
  const first = once();
  const restore = replaceCommand(smtpCommands, "NOOP", (orig) => ({
    ...orig,
    run: (s, arg, state) => {
      if (first()) busyWait(300);
      return orig.run(s, arg, state);
    },
  }));
  try {
    assert.match(await c.cmd("NOOP"), /^250 /);
    const w = await blockedWarning((d) => d.startsWith("smtp "));
    assert.ok(
      (w.during ?? []).some((d) => /^smtp 127\.0\.0\.1 conn=\S+ NOOP /.test(d)),
      JSON.stringify(w),
    );
  } finally {
    restore();
    c.close();
  }
});

test("a JMAP request that blocks the loop is named with the account", async () => {
  warnings.length = 0;
  const jmap = createJmapHttpHandler(srv.ctx);
  const http = createServer((req, res) => void jmap(req, res));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const methods = METHODS as unknown as Map<string, { handler: (...a: never[]) => unknown }>;
  const echo = methods.get("Core/echo")!;
  methods.set("Core/echo", {
    ...echo,
    handler: (...args: never[]) => {
      busyWait(300);
      return echo.handler(...args);
    },
  });
  try {
    const alice = srv.users[0]!;
    const r = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/jmap/api`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${alice.address}:${testPassword}`).toString("base64")}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ using: ["urn:ietf:params:jmap:core"], methodCalls: [["Core/echo", {}, "e"]] }),
    });
    assert.equal(r.status, 200);
    const w = await blockedWarning((d) => d.startsWith("jmap "));
    assert.ok(
      (w.during ?? []).some(
        (d) =>
          d.startsWith(`jmap 127.0.0.1 conn=`) && d.includes(` account=${alice.address} POST /jmap/api `),
      ),
      JSON.stringify(w),
    );
  } finally {
    methods.set("Core/echo", echo);
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  }
});

test("the tracker names what runs, then what finished since the last look, and forgets those", () => {
  const t = new ActivityTracker();
  const a = t.begin({ proto: "imap", ip: "192.0.2.1", conn: 1, command: "NOOP" });
  const b = t.begin({ proto: "pop3", ip: "192.0.2.2", conn: "X", command: "STAT" });
  t.end(a);
  assert.deepEqual(
    t.takeSuspects().map((x) => x.command),
    ["STAT", "NOOP"],
  );
  assert.deepEqual(
    t.takeSuspects().map((x) => x.command),
    ["STAT"],
  );
  t.end(b);
  t.clearFinished();
  assert.deepEqual(t.takeSuspects(), []);
});
