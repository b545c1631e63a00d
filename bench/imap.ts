// IMAP benchmark on one big mailbox, in-process: fills INBOX with N messages (default 100,000),
// then times SELECT, FETCH 1:* (UID FLAGS), UID FETCH of envelopes, SEARCH on flags and on text,
// STORE on every message, and measures the memory of C logged-in connections sitting in IDLE.
//
//   node --import tsx bench/imap.ts                       # 100,000 messages, 500 idle connections
//   node --import tsx bench/imap.ts --messages 20000 --idle 100
//
// Client and server share the process, so the per-connection figure includes both socket ends:
// it is an upper bound for the server.
import { parseArgs } from "node:util";
import { RawClient } from "../src/imap/testing/client.js";
import { PASSWORD, startImapTestServer } from "../src/imap/testing/server.js";

const { values: opt } = parseArgs({
  options: {
    messages: { type: "string", default: "100000" },
    idle: { type: "string", default: "500" },
  },
});
const N = Number(opt.messages);
const IDLE = Number(opt.idle);
const ALICE = "alice@example.test";

function msg(i: number): Buffer {
  return Buffer.from(
    `From: Sender ${i % 97} <s${i % 97}@example.test>\r\nTo: ${ALICE}\r\nSubject: Message number ${i}\r\n` +
      `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@bench>\r\n\r\nBody of message ${i}.\r\n${"lorem ipsum ".repeat(20)}\r\n`,
  );
}

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  console.log(`${label.padEnd(44)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`);
  return r;
}

const t = await startImapTestServer({ imap: { maxConnections: IDLE + 100, allowPlaintextAuth: true } });
try {
  const user = t.server.users.find((u) => u.address === ALICE)!;
  const mail = t.server.store.mail;
  const inbox = (await mail.getMailbox(user.id, "INBOX"))!;
  await timed(`deliver ${N} messages (batches of 500)`, async () => {
    for (let i = 0; i < N; i += 500) {
      const jobs: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(N, i + 500); j++)
        jobs.push(
          mail.deliver(msg(j), [{ accountId: user.id, mailboxId: inbox.id, flags: j % 3 ? ["\\Seen"] : [] }]),
        );
      await Promise.all(jobs);
    }
  });

  const c = await RawClient.connect(t.port.implicit, { tls: true });
  await c.line();
  await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
  const count = async (tag: string, cmd: string) => {
    const lines = await c.cmd(tag, cmd, 120000);
    if (!lines.at(-1)?.startsWith(`${tag} OK`)) throw new Error(`${cmd}: ${lines.at(-1)}`);
    return lines.length - 1;
  };
  await timed("SELECT INBOX", () => count("a", "SELECT INBOX"));
  await timed("FETCH 1:* (UID FLAGS)", () => count("b", "FETCH 1:* (UID FLAGS)"));
  await timed("UID FETCH 1:* (FLAGS) (CHANGEDSINCE highest-1)", async () => {
    const m = (await mail.getMailboxById(inbox.id))!;
    return count("c", `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${m.highestModseq - 1})`);
  });
  await timed("FETCH last 1000 (ENVELOPE BODYSTRUCTURE)", () =>
    count("d", `FETCH ${Math.max(1, N - 999)}:* (ENVELOPE BODYSTRUCTURE)`),
  );
  await timed("FETCH last 1000 BODY.PEEK[]", () => count("e", `FETCH ${Math.max(1, N - 999)}:* BODY.PEEK[]`));
  await timed("SEARCH UNSEEN", () => count("f", "SEARCH UNSEEN"));
  await timed('UID SEARCH RETURN (COUNT) SUBJECT "number 9999"', () =>
    count("g", 'UID SEARCH RETURN (COUNT) SUBJECT "number 9999"'),
  );
  await timed("STORE 1:* +FLAGS.SILENT (\\Flagged)", () => count("h", "STORE 1:* +FLAGS.SILENT (\\Flagged)"));
  c.close();

  // Idle connections: logged in (plaintext port, to measure IMAP and not TLS), INBOX selected, in IDLE.
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const idlers: RawClient[] = [];
  await timed(`${IDLE} connections LOGIN+SELECT+IDLE`, async () => {
    for (let i = 0; i < IDLE; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, IDLE - i) }, async () => {
          const k = await RawClient.connect(t.port.none);
          await k.line(60000);
          await k.cmd("L", `LOGIN bob@example.test "${PASSWORD}"`, 60000); // password hashing dominates
          await k.cmd("S", "SELECT INBOX", 60000);
          k.write("I IDLE\r\n");
          await k.line(60000);
          idlers.push(k);
        }),
      );
    }
  });
  const bob = t.server.users.find((u) => u.address === "bob@example.test")!;
  const bobInbox = (await mail.getMailbox(bob.id, "INBOX"))!;
  await timed(`one delivery wakes ${IDLE} IDLE sessions`, async () => {
    await mail.deliver(msg(0), [{ accountId: bob.id, mailboxId: bobInbox.id }]);
    await Promise.all(idlers.map((k) => k.line(10000)));
  });
  const mem = process.memoryUsage();
  console.log(
    `per idle connection (both ends): heap ${((mem.heapUsed - heapBefore) / IDLE / 1024).toFixed(1)} KB, rss ${((mem.rss - rssBefore) / IDLE / 1024).toFixed(1)} KB`,
  );
  for (const k of idlers) k.close();
} finally {
  await t.stop();
}
