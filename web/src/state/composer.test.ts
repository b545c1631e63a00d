// The composer's state (state/composer.ts) against a fake account: what stops a send, what a send
// asks of the server, drafts saved after a quiet moment and replaced, attachments too large for
// the server, signatures swapped with the identity.
import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { emptyDraft } from "../mail/compose";
import type { Identity } from "../mail/settings";
import { type Attachment, Composer, checkSendable, DRAFT_DELAY_MS } from "./composer";
import { FakeJmap } from "./fake-jmap";

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

const ME: Identity = { id: "I1", name: "Me", email: "me@example.com", textSignature: "Me", mayDelete: false };
const WORK: Identity = {
  id: "I2",
  name: "",
  email: "me@work.example",
  textSignature: "Work",
  mayDelete: true,
};

function composer(j = new FakeJmap()) {
  return new Composer(j, { identities: [ME, WORK], draftsId: "dr", sentId: "se", initial: emptyDraft() });
}

const att = (p: Partial<Attachment>): Attachment => ({
  key: 1,
  name: "a.txt",
  type: "text/plain",
  size: 10,
  loaded: 10,
  blobId: "B1",
  error: false,
  ...p,
});

describe("checkSendable", () => {
  const fields = { to: "", cc: "", bcc: "", subject: "", body: "" };
  test("a message needs a recipient, and every address must be one", () => {
    assert.deepEqual(checkSendable(fields, []), { kind: "noRecipients" });
    assert.deepEqual(checkSendable({ ...fields, to: "Ann <ann@example.com>, bob" }, []), {
      kind: "badAddress",
      address: "bob",
    });
    assert.deepEqual(checkSendable({ ...fields, bcc: "x@y; <z@" }, []), {
      kind: "badAddress",
      address: "<z@",
    });
    assert.equal(checkSendable({ ...fields, cc: '"Doe, J" <j@example.com>' }, []), null);
  });

  test("attachments must all be uploaded; a failed one is named", () => {
    const f = { ...fields, to: "ann@example.com" };
    assert.deepEqual(checkSendable(f, [att({ blobId: null })]), { kind: "waitUploads" });
    assert.deepEqual(checkSendable(f, [att({}), att({ blobId: null, error: true, name: "big.iso" })]), {
      kind: "uploadFailed",
      name: "big.iso",
    });
    assert.equal(checkSendable(f, [att({})]), null);
  });
});

describe("Composer", () => {
  test("an invalid message is not sent: nothing asked of the server, the problem shown", async () => {
    const j = new FakeJmap();
    const c = composer(j);
    c.edit("to", "not an address");
    assert.equal(await c.send(), false);
    assert.deepEqual(c.state.problem, { kind: "badAddress", address: "not an address" });
    assert.equal(j.calls.length, 0);
  });

  test("send: the email in Drafts, submitted with the identity, moved to Sent on success", async () => {
    const j = new FakeJmap();
    const c = composer(j);
    c.edit("to", "Ann <ann@example.com>");
    c.edit("subject", "Hi");
    c.edit("body", "Hello");
    assert.equal(await c.send(), true);
    assert.deepEqual(j.methods(), ["Email/set", "EmailSubmission/set"]);
    const created = (j.calls[0]![1].create as Record<string, Record<string, unknown>>).msg!;
    assert.deepEqual(created.mailboxIds, { dr: true });
    assert.deepEqual(created.to, [{ name: "Ann", email: "ann@example.com" }]);
    assert.deepEqual(created.from, [{ name: "Me", email: "me@example.com" }]);
    assert.deepEqual(created.bodyValues, { body: { value: "Hello" } });
    const sub = j.calls[1]![1];
    assert.deepEqual(sub.create, { sub: { identityId: "I1", emailId: "#msg" } });
    assert.deepEqual(sub.onSuccessUpdateEmail, {
      "#sub": { mailboxIds: { se: true }, "keywords/$draft": null },
    });
    assert.equal(c.state.sending, false);
  });

  test("a refused send is said, and the composer stays open to try again", async () => {
    const j = new FakeJmap();
    j.failNext.set("EmailSubmission/set", "forbiddenFrom");
    const c = composer(j);
    c.edit("to", "ann@example.com");
    assert.equal(await c.send(), false);
    assert.deepEqual(c.state.problem, { kind: "sendFailed", reason: "forbiddenFrom" });
    assert.equal(await c.send(), true);
  });

  test("the draft is saved after a quiet moment, each save replacing the previous draft", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const j = new FakeJmap();
      const c = composer(j);
      c.edit("to", "a");
      mock.timers.tick(DRAFT_DELAY_MS - 1);
      c.edit("to", "ann@example.com");
      mock.timers.tick(DRAFT_DELAY_MS - 1);
      await settle();
      assert.equal(j.calls.length, 0, "still typing");
      mock.timers.tick(1);
      await settle();
      assert.equal(c.state.status?.kind, "saved");
      const first = j.calls.at(-1)![1];
      assert.equal(first.destroy, undefined);
      c.edit("subject", "Hi");
      mock.timers.tick(DRAFT_DELAY_MS);
      await settle();
      const second = j.calls.at(-1)![1];
      assert.deepEqual(second.destroy, ["M1"], "the previous draft goes");
      assert.equal(await c.send(), true);
      assert.deepEqual(j.calls.at(-2)![1].destroy, ["M2"], "sending replaces the last draft");
    } finally {
      mock.timers.reset();
    }
  });

  test("a file over the server's upload limit is marked failed and not uploaded; others upload", async () => {
    const j = new FakeJmap();
    j.maxSizeUpload = 5;
    const c = composer(j);
    c.addFiles([new File(["0123456789"], "big.bin"), new File(["abc"], "small.txt", { type: "text/plain" })]);
    assert.equal(j.uploads.length, 1);
    assert.deepEqual(
      c.state.attachments.map((a) => [a.name, a.error]),
      [
        ["big.bin", true],
        ["small.txt", false],
      ],
    );
    j.uploads[0]!.resolve({ blobId: "Bs", size: 3, type: "text/plain" });
    await settle();
    assert.equal(c.state.attachments[1]?.blobId, "Bs");
    c.removeAttachment(c.state.attachments[0]!.key);
    c.edit("to", "ann@example.com");
    assert.equal(await c.send(), true);
  });

  test("choosing another identity swaps the signature in the body", () => {
    const j = new FakeJmap();
    const c = new Composer(j, {
      identities: [ME, WORK],
      draftsId: "dr",
      sentId: "se",
      initial: { ...emptyDraft(), body: "\n\n-- \nMe" },
    });
    c.chooseIdentity("I2");
    assert.equal(c.state.body, "\n\n-- \nWork");
    assert.equal(c.state.identity.id, "I2");
    void c.discard();
  });

  test("discard aborts uploads in progress and destroys the saved draft", async () => {
    const j = new FakeJmap();
    const c = composer(j);
    c.edit("to", "ann@example.com");
    await c.saveDraft();
    c.addFiles([new File(["abc"], "a.txt")]);
    await c.discard();
    assert.equal(j.uploads[0]?.aborted, true);
    assert.deepEqual(j.calls.at(-1)![1].destroy, ["M1"]);
  });
});
