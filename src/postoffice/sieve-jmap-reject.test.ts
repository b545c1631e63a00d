// Sieve reject and ereject (RFC 5429) at the JMAP door, as the webmail sends (Email/set, then
// EmailSubmission/set over real HTTP): ereject by every local recipient is refused in the
// protocol, a forbiddenToSend SetError carrying the script's reason (RFC 5429 2.2; nothing filed,
// no rejection message); plain reject is never refused in the protocol at a submission door (RFC
// 5429 2.1): the submission is created and the sender gets the rejection message; ereject by one
// recipient of two cannot be refused for the other's sake: the other gets the message and the
// sender the rejection message.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { jmapSend, startJmapHttp } from "./test-jmap-send.js";

describe("sieve reject and ereject at the JMAP door", () => {
  let ts: TestServer;
  let jmapHttp: Awaited<ReturnType<typeof startJmapHttp>>;
  const id: Record<string, number> = {};

  before(async () => {
    ts = await startTestServer({
      users: ["alice", "carol", "dave"].map((u) => ({
        address: `${u}@example.test`,
        password: testPassword,
      })),
    });
    for (const u of ts.users) id[u.address.split("@")[0]!] = u.id;
    jmapHttp = await startJmapHttp(() => ts.ctx);
  });
  after(async () => {
    await jmapHttp?.close();
    await ts?.stop();
  });

  async function setScript(accountId: number, content: string): Promise<void> {
    await ts.store.sieve.put(accountId, "rules", content, { maxScripts: 20, maxTotalBytes: 1 << 20 });
    await ts.store.sieve.setActive(accountId, "rules");
  }

  /** Texts of the account's messages that contain `needle`. */
  async function texts(accountId: number, needle: string): Promise<string[]> {
    const out: string[] = [];
    for (const box of await ts.store.mail.listMailboxes(accountId))
      for (const m of await ts.store.mail.listMessages(box.id)) {
        const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
        if (text.includes(needle)) out.push(text);
      }
    return out;
  }

  const send = (to: string[], subject: string) =>
    jmapSend({
      base: jmapHttp.base,
      store: ts.store,
      accountId: id.alice!,
      address: "alice@example.test",
      password: testPassword,
      to,
      subject,
    });

  /** The rejection messages alice got about this subject. */
  const rejections = async (subject: string) =>
    (await texts(id.alice!, "Subject: Automatically rejected mail")).filter((m) =>
      m.includes(`Subject: ${subject}`),
    );

  test("ereject by every recipient: a forbiddenToSend SetError with the reason, nothing filed", async () => {
    await setScript(id.dave!, 'require "ereject";\nereject "Closed for the holidays";\n');
    const subject = `ereject ${randomUUID()}`;
    const r = await send(["dave@example.test"], subject);
    assert.equal(r.created, undefined);
    assert.deepEqual(r.notCreated, { type: "forbiddenToSend", description: "Closed for the holidays" });
    assert.deepEqual(await texts(id.dave!, `Subject: ${subject}`), []);
    assert.deepEqual(await rejections(subject), [], "refused in the protocol: no rejection message too");
  });

  test("reject by every recipient: created, and the sender gets the rejection message", async () => {
    await setScript(id.dave!, 'require "reject";\nreject "Not from you";\n');
    const subject = `reject ${randomUUID()}`;
    const r = await send(["dave@example.test"], subject);
    assert.ok(r.created, JSON.stringify(r.notCreated));
    assert.deepEqual(await texts(id.dave!, `Subject: ${subject}`), []);
    const mdns = await rejections(subject);
    assert.equal(mdns.length, 1);
    assert.match(mdns[0]!, /\r\nNot from you\r\n/);
    assert.match(mdns[0]!, /\r\nFinal-Recipient: rfc822; dave@example\.test\r\n/);
  });

  test("ereject by one recipient of two: the other gets it, the sender the rejection message", async () => {
    await setScript(id.dave!, 'require "ereject";\nereject "Closed for the holidays";\n');
    const subject = `half ${randomUUID()}`;
    const r = await send(["dave@example.test", "carol@example.test"], subject);
    assert.ok(r.created, JSON.stringify(r.notCreated));
    assert.equal((await texts(id.carol!, `Subject: ${subject}`)).length, 1);
    assert.deepEqual(await texts(id.dave!, `Subject: ${subject}`), []);
    assert.equal((await rejections(subject)).length, 1);
  });
});
