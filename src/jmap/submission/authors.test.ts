// Issue 18 finding 9 through JMAP (the webmail's way out): EmailSubmission/set refuses an Email
// whose Sender or Resent-From is another user's, or whose From display name shows another
// address, with forbiddenFrom (RFC 8621 7.5); nothing reaches bob.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { inbox } from "../../testing/mailbox.js";
import { type JmapTest, startJmapTest } from "../test-support.js";

describe("EmailSubmission/set: author fields", () => {
  let t: JmapTest;
  let drafts: string;
  let identityId: string;
  before(async () => {
    t = await startJmapTest();
    identityId = `I${(await t.ts.store.settings.listIdentities(t.user.id))[0]!.id}`;
    const boxes = await t.first([["Mailbox/get", { accountId: t.accountId, properties: ["role"] }, "0"]]);
    drafts = boxes.list.find((b: { role: string }) => b.role === "drafts").id;
  });
  after(() => t.close());

  /** Creates the draft with `extra` properties and submits it; the submission's SetError, if any. */
  async function submit(extra: Record<string, unknown>) {
    const marker = randomUUID();
    const bob = t.ts.users[1]!;
    const r = await t.api([
      [
        "Email/set",
        {
          accountId: t.accountId,
          create: {
            e: {
              mailboxIds: { [drafts]: true },
              from: [{ email: t.user.address }],
              to: [{ email: bob.address }],
              subject: marker,
              textBody: [{ partId: "1" }],
              bodyValues: { "1": { value: "hi" } },
              ...extra,
            },
          },
        },
        "a",
      ],
      ["EmailSubmission/set", { accountId: t.accountId, create: { s: { identityId, emailId: "#e" } } }, "b"],
    ]);
    assert.ok(r[0]![1].created?.e, JSON.stringify(r[0]));
    const delivered = (await inbox(t.ts.store, bob.id)).some((b) => b.includes(marker));
    return { error: r[1]![1].notCreated?.s ?? null, delivered };
  }

  test("Sender and Resent-From of another user: forbiddenFrom", async () => {
    for (const [field, extra] of [
      ["Sender", { sender: [{ name: "Bob", email: "bob@example.test" }] }],
      ["Resent-From", { "header:Resent-From": "Bob <bob@example.test>" }],
    ] as const) {
      const { error, delivered } = await submit(extra);
      assert.deepEqual(error, {
        type: "forbiddenFrom",
        description: `${field} header <bob@example.test> is not owned by user ${t.user.address}`,
      });
      assert.equal(delivered, false);
    }
  });

  test("a From display name showing another address: forbiddenFrom; her own name is fine", async () => {
    const bad = await submit({ from: [{ name: "bob@example.test", email: t.user.address }] });
    assert.deepEqual(bad.error, {
      type: "forbiddenFrom",
      description: `From header display name shows the address bob@example.test, not <${t.user.address}>`,
    });
    assert.equal(bad.delivered, false);
    const ok = await submit({ from: [{ name: "Alice", email: t.user.address }] });
    assert.equal(ok.error, null);
    assert.equal(ok.delivered, true);
  });
});
