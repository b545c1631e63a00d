// JMAP uploads with `yubin serve --workers 2` and no Redis (a child process, real HTTPS): a blob
// uploaded through one worker is imported by Email/import in either (src/store/uploads-files.ts).
// Runs on the backend YUBIN_TEST_BACKEND names (sqlite by default).
import assert from "node:assert/strict";
import { request } from "node:https";
import { describe, test } from "node:test";
import { freshSchema } from "../../testing/postgres.js";
import { type ServerProcess, startServerProcess } from "../../testing/process.js";

interface Reply {
  status: number;
  body: string;
}

/** One HTTPS request on a connection of its own (round-robin hands each to the next worker). */
function https(
  port: number,
  auth: string,
  opts: { method: string; path: string; body?: string; type?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: opts.path,
        method: opts.method,
        agent: false,
        rejectUnauthorized: false,
        headers: {
          Authorization: auth,
          ...(opts.body === undefined
            ? {}
            : { "Content-Type": opts.type ?? "", "Content-Length": Buffer.byteLength(opts.body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

function loginWorkers(p: ServerProcess): number[] {
  return p
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((j) => j.msg === "login" && j.protocol === "jmap")
    .map((j) => j.worker as number);
}

describe("JMAP uploads with serve --workers 2, no Redis", () => {
  test("a blob uploaded through one worker is imported through both", { timeout: 180_000 }, async () => {
    const pg = process.env.YUBIN_TEST_BACKEND === "postgres" ? await freshSchema() : null;
    let proc: ServerProcess | null = null;
    try {
      proc = await startServerProcess({
        timeoutMs: 90_000,
        args: ["--workers", "2"],
        listeners: [{ protocol: "http", tls: "implicit" }],
        config: pg ? { storage: { backend: "postgres", postgresUrl: pg.url } } : {},
      });
      const p = proc;
      const port = p.ports.get("http/implicit")!;
      const password = /First account: admin@mail\.example\.test {2}password: (\S+)/.exec(p.output())?.[1];
      assert.ok(password);
      const auth = `Basic ${Buffer.from(`admin@mail.example.test:${password}`).toString("base64")}`;
      const session = await https(port, auth, { method: "GET", path: "/.well-known/jmap" });
      assert.equal(session.status, 200, session.body);
      const account = Object.keys((JSON.parse(session.body) as { accounts: object }).accounts)[0]!;

      const raw =
        "From: carol@example.org\r\nTo: admin@mail.example.test\r\nSubject: uploaded once\r\n\r\nhi\r\n";
      const up = await https(port, auth, {
        method: "POST",
        path: `/jmap/upload/${account}/`,
        body: raw,
        type: "message/rfc822",
      });
      assert.equal(up.status, 201, up.body);
      const blobId = (JSON.parse(up.body) as { blobId: string }).blobId;
      const api = async (calls: unknown[]) => {
        const r = await https(port, auth, {
          method: "POST",
          path: "/jmap/api",
          body: JSON.stringify({
            using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
            methodCalls: calls,
          }),
          type: "application/json",
        });
        assert.equal(r.status, 200, r.body);
        return (JSON.parse(r.body) as { methodResponses: [string, Record<string, unknown>, string][] })
          .methodResponses;
      };
      const [q] = await api([["Mailbox/query", { accountId: account, filter: { role: "inbox" } }, "q"]]);
      const inbox = (q![1].ids as string[])[0]!;
      // Four imports of the one upload, each on a new connection: two in each worker.
      for (let i = 0; i < 4; i++) {
        const [r] = await api([
          [
            "Email/import",
            { accountId: account, emails: { i: { blobId, mailboxIds: { [inbox]: true } } } },
            "i",
          ],
        ]);
        assert.equal(r![0], "Email/import");
        const created = r![1].created as Record<string, { blobId: string; size: number }> | null;
        assert.ok(created?.i, `import ${i}: ${JSON.stringify(r![1])}`);
        assert.equal(created.i.size, raw.length);
      }
      // Every request logs in (Basic), its line naming its worker: the session, the upload, the
      // query, then the four imports. Some import ran in the worker that did not take the upload.
      const workers = loginWorkers(p);
      assert.equal(workers.length, 7, p.output().slice(-3000));
      const uploadedIn = workers[1];
      assert.ok(
        workers.slice(3).some((w) => w !== uploadedIn),
        `uploaded in worker ${uploadedIn}, imported in ${workers.slice(3).join(", ")}`,
      );
      const [g] = await api([["Email/query", { accountId: account, filter: { inMailbox: inbox } }, "g"]]);
      assert.equal((g![1].ids as string[]).length, 4);
      assert.equal(await p.kill("SIGTERM"), 0);
    } finally {
      await proc?.stop();
      await pg?.drop();
    }
  });
});
