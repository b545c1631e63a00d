// Test support: one message through the post office's jmap door, as the webmail sends it (a draft
// by Email/set, then EmailSubmission/set of it in the same request), over real HTTP with Basic auth.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createJmapHttpHandler } from "../jmap/http/handler.js";
import type { AppContext } from "../server/context.js";
import type { Store } from "../store/types.js";

export interface JmapSendOptions {
  base: string; // http://127.0.0.1:PORT where the JMAP handler is mounted
  store: Store;
  accountId: number;
  address: string;
  password: string;
  to: string[];
  subject: string;
  body?: string;
}

/** The created submission or its SetError, and the whole EmailSubmission/set answer. */
export interface JmapSendResult {
  created?: unknown;
  notCreated?: { type: string; description?: string };
  // biome-ignore lint/suspicious/noExplicitAny: JSON; callers assert on what they use
  response: any;
}

export async function jmapSend(o: JmapSendOptions): Promise<JmapSendResult> {
  const basic = `Basic ${Buffer.from(`${o.address}:${o.password}`).toString("base64")}`;
  const api = async (methodCalls: unknown[]) => {
    const r = await fetch(`${o.base}/jmap/api`, {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "application/json" },
      body: JSON.stringify({
        using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail", "urn:ietf:params:jmap:submission"],
        methodCalls,
      }),
    });
    assert.equal(r.status, 200);
    // biome-ignore lint/suspicious/noExplicitAny: JSON; every field used is asserted
    return ((await r.json()) as { methodResponses: [string, any, string][] }).methodResponses;
  };
  const accountId = `A${o.accountId}`;
  const [boxes] = await api([["Mailbox/get", { accountId, properties: ["role"] }, "0"]]);
  const drafts = boxes![1].list.find((b: { role: string }) => b.role === "drafts").id;
  const identityId = `I${(await o.store.settings.listIdentities(o.accountId))[0]!.id}`;
  const r = await api([
    [
      "Email/set",
      {
        accountId,
        create: {
          e1: {
            mailboxIds: { [drafts]: true },
            from: [{ email: o.address }],
            to: o.to.map((email) => ({ email })),
            subject: o.subject,
            textBody: [{ partId: "1" }],
            bodyValues: { "1": { value: o.body ?? `body of ${o.subject}` } },
          },
        },
      },
      "a",
    ],
    ["EmailSubmission/set", { accountId, create: { s1: { identityId, emailId: "#e1" } } }, "b"],
  ]);
  const set = r[1]![1];
  return { created: set.created?.s1, notCreated: set.notCreated?.s1, response: r[1] };
}

/** The JMAP handler alone on an ephemeral 127.0.0.1 port (what the webmail talks to). `ctxOf` is
 *  asked at each request: a test that restarts its server gets the new context's handler. */
export async function startJmapHttp(
  ctxOf: () => AppContext,
): Promise<{ base: string; close(): Promise<void> }> {
  const http = createServer((req, res) => {
    void createJmapHttpHandler(ctxOf())(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}
