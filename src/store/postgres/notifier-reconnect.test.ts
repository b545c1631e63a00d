// Two whole servers on one PostgreSQL schema, no Redis, so their change notifier is PgNotifier.
// Node A's connections go through a TCP relay this test controls. A's LISTEN backend is ended with
// pg_terminate_backend and the relay refuses A's new connections while node B files a message over
// SMTP: B's NOTIFY reaches no one (PostgreSQL keeps it for no session that listens later). Once
// the relay lets A through again, the notifier reconnects and resyncs, and an imapflow IDLE on A
// must hear EXISTS within a bound; without the resync it heard nothing until the next change.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import pg from "pg";
import { eventually } from "../../testing/eventually.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";

const BOB = "bob@example.test";

/** A TCP relay to `target`; while `refusing`, new connections are closed at once (existing ones
 *  stay), as a database that cannot be reached for a moment. */
async function startRelay(target: { host: string; port: number }) {
  const open = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((down) => {
    if (refusing) {
      down.destroy();
      return;
    }
    const up = connect(target.port, target.host);
    open.add(down);
    const end = () => {
      open.delete(down);
      down.destroy();
      up.destroy();
    };
    down.on("error", end).on("close", end);
    up.on("error", end).on("close", end);
    down.pipe(up);
    up.pipe(down);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as { port: number }).port,
    refuse(on: boolean) {
      refusing = on;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("PgNotifier after its LISTEN connection was lost", {
  skip: postgresSkip(),
  timeout: 120_000,
}, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let admin: pg.Client;
  let a: TestServer;
  let b: TestServer;
  const nodeA = `resync-a-${process.pid}`;

  before(async () => {
    schema = await freshSchema();
    const url = new URL(schema.url);
    relay = await startRelay({ host: url.hostname, port: Number(url.port) });
    const viaRelay = new URL(schema.url);
    viaRelay.port = String(relay.port);
    admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    const node = (nodeId: string, postgresUrl: string) => ({
      storage: { backend: "postgres", postgresUrl, externalChangePollMs: 0 },
      cluster: { nodeId },
    });
    a = await startTestServer({ config: node(nodeA, viaRelay.toString()) });
    b = await startTestServer({
      domains: [],
      users: [],
      config: node(`resync-b-${process.pid}`, schema.url),
    });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await admin?.end();
    await relay?.close();
    await schema?.drop();
  });

  test("an IDLE session hears mail delivered while the notifier was away, once it is back", async () => {
    const imap = new ImapFlow({
      host: "127.0.0.1",
      port: a.ports.imaps ?? 0,
      secure: true,
      auth: { user: BOB, pass: testPassword },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await imap.connect();
    const lock = await imap.getMailboxLock("INBOX");
    try {
      const exists = imap.mailbox ? imap.mailbox.exists : 0;
      let heard: number | null = null;
      imap.on("exists", (d: { count: number }) => {
        heard = d.count;
      });
      void imap.idle().catch(() => {});
      await eventually("IDLE on", () => imap.idling, 10_000);

      // A's LISTEN session ended, and A cannot connect again for now.
      relay.refuse(true);
      const ended = await admin.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1",
        [`yubin notifier ${nodeA}`],
      );
      assert.equal(ended.rowCount, 1, "A's notifier had one LISTEN session");
      await eventually(
        "A's LISTEN session gone",
        async () =>
          (
            await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [
              `yubin notifier ${nodeA}`,
            ])
          ).rowCount === 0,
        10_000,
      );

      await nodemailer
        .createTransport({ host: "127.0.0.1", port: b.ports.smtp, secure: false, ignoreTLS: true })
        .sendMail({
          envelope: { from: "carol@remote.test", to: [BOB] },
          raw: "From: carol@remote.test\r\nTo: bob@example.test\r\nSubject: while away\r\n\r\nhello\r\n",
        });
      // B's NOTIFY went out to no one: A hears nothing while it cannot connect.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(heard, null, "nothing heard while A's notifier was away");

      relay.refuse(false);
      // The reconnection backoff is at most 2 s; the resync is one query after it.
      await eventually("EXISTS after the notifier came back", () => heard !== null, 6_000);
      assert.equal(heard, exists + 1);
    } finally {
      lock.release();
      await imap.logout().catch(() => imap.close());
    }
  });
});
