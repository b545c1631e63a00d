// The IMAP source holds one group of bodies, not the folder: draining 48 MB of 1.5 MB messages
// with groups of 4 MB, the process's Buffer memory (where bodies live) grows by far less than the
// folder. What is still live is sampled after every message, after a full garbage collection (a
// peak without one measures how late the collector runs, which moves with the machine's load),
// with the consumer dropping each message as a real import does once it is filed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ImapFlow } from "imapflow";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import type { SourceFolder } from "../types.js";
import { openImapSource } from "./source.js";

const ALICE = "alice@example.test";
const PASSWORD = "memory test password 1";
const COUNT = 32;
const SIZE = 1536 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let srv: TestServer;
before(async () => {
  srv = await startTestServer({
    users: [{ address: ALICE, password: PASSWORD }],
    config: { imap: { appendLimit: 4 * 1024 * 1024 } },
  });
  const c = new ImapFlow({
    host: "127.0.0.1",
    port: srv.ports.imaps!,
    secure: true,
    tls: { ca: srv.certPem, servername: "mail.example.test" },
    auth: { user: ALICE, pass: PASSWORD },
    logger: false,
  });
  await c.connect();
  await c.mailboxCreate("Big");
  for (let n = 0; n < COUNT; n++) {
    const lines = randomBytes((SIZE * 3) / 4)
      .toString("base64")
      .replace(/.{76}/g, "$&\r\n");
    await c.append("Big", Buffer.from(`Subject: big ${n}\r\n\r\n${lines}\r\n`));
  }
  await c.logout();
});
after(() => srv?.stop());

test("draining a 48 MB folder holds about one 4 MB group of bodies", { timeout: 120_000 }, async () => {
  const source = await openImapSource({
    host: "127.0.0.1",
    port: srv.ports.imaps!,
    tls: "implicit",
    ca: srv.certPem,
    servername: "mail.example.test",
    user: ALICE,
    password: PASSWORD,
    groupBytes: 4 * 1024 * 1024,
  });
  try {
    let big: SourceFolder | undefined;
    for await (const f of source.folders()) if (f.name === "Big") big = f;
    assert.ok(big);
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = base;
    let n = 0;
    let bytes = 0;
    for await (const m of big.messages(null)) {
      assert.ok(!("failed" in m));
      n++;
      bytes += m.body.length;
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    assert.equal(n, COUNT);
    assert.ok(bytes > 48 * 1024 * 1024, `${bytes}`);
    const grew = peak - base;
    // One group (4 MB, here 2 messages) plus the socket's and the parser's copies (and the
    // in-process server's): measured 12.7 MB live, 53.2 MB with the whole folder in one group.
    assert.ok(grew < 30 * 1024 * 1024, `Buffer memory grew by ${(grew / 1048576).toFixed(1)} MB`);
  } finally {
    await source.close();
  }
});
