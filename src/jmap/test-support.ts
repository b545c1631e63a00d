// What the JMAP test files share: a real Yubin (src/testing/harness.ts) with the JMAP HTTP
// handler on its own 127.0.0.1 server (ephemeral port), a raw API caller, and jmap-jam.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
  testPassword,
} from "../testing/harness.js";
import { createJmapHttpHandler, type JmapHttpHandler } from "./http/handler.js";

export const USING = [
  "urn:ietf:params:jmap:core",
  "urn:ietf:params:jmap:mail",
  "urn:ietf:params:jmap:submission",
];

/** A method response: [name, arguments, callId]; arguments read as untyped JSON. */
// biome-ignore lint/suspicious/noExplicitAny: JSON responses; each field a test uses is asserted.
export type Resp = [string, any, string];

export interface JmapTest {
  ts: TestServer;
  base: string;
  jmap: JmapHttpHandler;
  user: { id: number; address: string };
  accountId: string;
  basic: string;
  /** POSTs one API request; returns the method responses (throws on a non-200 status). */
  api(methodCalls: unknown[], using?: string[]): Promise<Resp[]>;
  /** The arguments of the first method response. */
  first(methodCalls: unknown[]): Promise<Resp[1]>;
  close(): Promise<void>;
}

export async function startJmapTest(userIndex = 0, opts: TestServerOptions = {}): Promise<JmapTest> {
  const ts = await startTestServer(opts);
  const user = ts.users[userIndex]!;
  const basic = `Basic ${Buffer.from(`${user.address}:${testPassword}`).toString("base64")}`;
  const jmap = createJmapHttpHandler(ts.ctx);
  const http: Server = createServer((req, res) => {
    void jmap(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const t: JmapTest = {
    ts,
    base,
    jmap,
    user,
    accountId: `A${user.id}`,
    basic,
    async api(methodCalls, using = USING) {
      const r = await fetch(`${base}/jmap/api`, {
        method: "POST",
        headers: { Authorization: basic, "Content-Type": "application/json" },
        body: JSON.stringify({ using, methodCalls }),
      });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
      return ((await r.json()) as { methodResponses: Resp[] }).methodResponses;
    },
    async first(methodCalls) {
      return (await t.api(methodCalls))[0]![1];
    },
    async close() {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await ts.stop();
    },
  };
  return t;
}

/** The parts of jmap-jam's client the tests use. */
// biome-ignore lint/suspicious/noExplicitAny: jmap-jam is loaded untyped (see loadJam).
type JamCall = (args: object) => Promise<[any, unknown]>;
type JamType = Record<"get" | "set" | "changes" | "query" | "queryChanges" | "import" | "parse", JamCall>;

export interface Jam {
  api: Record<
    "Core" | "Mailbox" | "Thread" | "Email" | "SearchSnippet" | "Identity" | "EmailSubmission",
    JamType
  >;
  getPrimaryAccount(): Promise<string | undefined>;
}

/** jmap-jam, loaded without its type declarations: they import jmap-rfc-types' .ts sources,
 *  which tsc refuses under this project's settings (TS5097), so a typed import would break the
 *  type check. The client itself is plain JavaScript. */
export async function loadJam(t: JmapTest): Promise<Jam> {
  const specifier: string = "jmap-jam";
  const mod = (await import(specifier)) as { default: new (o: object) => Jam };
  const account = await t.ts.store.directory.getAccount(t.user.id);
  if (!account) throw new Error(`test account ${t.user.id} is gone`);
  return new mod.default({
    sessionUrl: `${t.base}/.well-known/jmap`,
    bearerToken: await t.jmap.tokens.issue(account),
  });
}
