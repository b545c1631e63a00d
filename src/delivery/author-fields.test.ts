// The author fields a submitting user may write (issue 18 finding 9): every From, Sender,
// Resent-From and Resent-Sender mailbox must be one the user may send as, and no display name
// may show another address.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkAuthorFields,
  describeAuthorProblem,
  MAX_DISPLAY_NAME_CHARS,
  otherAddressIn,
} from "./author-fields.js";

const OWN = "alice@example.test";
const rules = (allowAddressDisplayNames = false) => ({
  mayUse: async (a: string) => a.toLowerCase() === OWN,
  allowAddressDisplayNames,
});
const msg = (head: string) => Buffer.from(`${head}To: bob@example.test\r\nSubject: x\r\n\r\nbody\r\n`);

describe("display names", () => {
  test("another address in the name is found, however it is written", () => {
    assert.equal(otherAddressIn("bob@example.test", OWN), "bob@example.test");
    assert.equal(otherAddressIn("Bob Example (bob@example.test).", OWN), "bob@example.test");
    assert.equal(otherAddressIn("=?utf-8?q?bob=40example=2Etest?=", OWN), "bob@example.test");
    assert.equal(otherAddressIn("bob\uFF20example.test", OWN), "bob@example.test"); // full-width @
    assert.equal(otherAddressIn("<ceo@bank.example>", OWN), "ceo@bank.example");
  });

  test("the mailbox's own address, plain names and stray @ pass", () => {
    for (const name of [
      "Alice",
      "Alice (ALICE@Example.Test)",
      "alice@example.test.",
      "Alice @ work",
      "a@b",
      "@home",
    ])
      assert.equal(otherAddressIn(name, OWN), null, name);
  });

  test("a name longer than a header line is refused, not examined", async () => {
    const long = `From: "${"x".repeat(MAX_DISPLAY_NAME_CHARS + 1)}" <${OWN}>\r\n`;
    const p = await checkAuthorFields(msg(long), rules());
    assert.deepEqual(p, { kind: "long-name", field: "From", address: OWN });
    assert.equal(
      describeAuthorProblem(p!, `user ${OWN}`),
      `From header display name of <${OWN}> is longer than 998 characters`,
    );
    assert.equal(
      await checkAuthorFields(msg(`From: "${"x".repeat(MAX_DISPLAY_NAME_CHARS)}" <${OWN}>\r\n`), rules()),
      null,
    );
  });
});

describe("checkAuthorFields", () => {
  test("From, Sender, Resent-From and Resent-Sender are each checked against send-as", async () => {
    for (const field of ["From", "Sender", "Resent-From", "Resent-Sender"]) {
      const head =
        field === "From"
          ? "From: bob@example.test\r\n"
          : `From: ${OWN}\r\n${field}: Bob <bob@example.test>\r\n`;
      const p = await checkAuthorFields(msg(head), rules());
      assert.deepEqual(p, { kind: "not-owned", field, address: "bob@example.test" });
      assert.equal(
        describeAuthorProblem(p!, `user ${OWN}`),
        `${field} header <bob@example.test> is not owned by user ${OWN}`,
      );
    }
    assert.equal(
      await checkAuthorFields(
        msg(`From: ${OWN}\r\nSender: Alice <${OWN}>\r\nReply-To: bob@example.test\r\n`),
        rules(),
      ),
      null,
    );
  });

  test("a display name showing another address is refused unless allowed", async () => {
    const head = `From: "bob@example.test" <${OWN}>\r\n`;
    const p = await checkAuthorFields(msg(head), rules());
    assert.deepEqual(p, { kind: "display-name", field: "From", address: OWN, claimed: "bob@example.test" });
    assert.equal(
      describeAuthorProblem(p!, `user ${OWN}`),
      `From header display name shows the address bob@example.test, not <${OWN}>`,
    );
    assert.equal(await checkAuthorFields(msg(head), rules(true)), null);
    const sender = await checkAuthorFields(
      msg(`From: ${OWN}\r\nSender: ${OWN} (bob@example.test)\r\n`),
      rules(),
    );
    assert.equal(sender?.kind, "display-name");
  });

  test("an unparsable author is invalid; each distinct address is looked up once", async () => {
    assert.deepEqual(await checkAuthorFields(msg("From: <@>\r\n"), rules()), {
      kind: "invalid",
      field: "From",
    });
    let lookups = 0;
    const counting = {
      mayUse: async (a: string) => {
        lookups++;
        return a === OWN;
      },
      allowAddressDisplayNames: false,
    };
    await checkAuthorFields(msg(`From: ${OWN}, ${OWN.toUpperCase()}\r\nSender: ${OWN}\r\n`), counting);
    assert.equal(lookups, 1);
  });
});
