import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildEnvelope, buildReferences, extractMessageIds } from "./envelope.js";

describe("message ids", () => {
  test("bracketed ids, whitespace inside removed, duplicates dropped", () => {
    assert.deepEqual(extractMessageIds("<a@x> (c) <b@\r\n y>\t<a@x>"), ["<a@x>", "<b@y>"]);
  });
  test("ids without brackets are accepted when no bracketed id is present", () => {
    assert.deepEqual(extractMessageIds("a@x, b@y junk"), ["<a@x>", "<b@y>"]);
    assert.deepEqual(extractMessageIds("<>"), []);
  });
  test("references fall back to the first In-Reply-To id", () => {
    assert.deepEqual(buildReferences(new Map([["in-reply-to", "<p@x> <q@x>"]])), ["<p@x>"]);
    assert.deepEqual(
      buildReferences(
        new Map([
          ["references", "<r@x>"],
          ["in-reply-to", "<p@x>"],
        ]),
      ),
      ["<r@x>"],
    );
    assert.deepEqual(buildReferences(new Map()), []);
  });
});

describe("buildEnvelope", () => {
  test("absent fields are null or empty; explicit sender and reply-to are kept", () => {
    const e = buildEnvelope(
      new Map([
        ["from", "a@x"],
        ["sender", "s@x"],
        ["reply-to", "r@x"],
      ]),
    );
    assert.deepEqual(e, {
      date: null,
      subject: null,
      from: [{ name: null, mailbox: "a", host: "x" }],
      sender: [{ name: null, mailbox: "s", host: "x" }],
      replyTo: [{ name: null, mailbox: "r", host: "x" }],
      to: [],
      cc: [],
      bcc: [],
      inReplyTo: null,
      messageId: null,
    });
  });
});
