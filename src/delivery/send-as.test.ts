import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeDirectory } from "./fake-directory.js";
import { canSendAs } from "./send-as.js";

async function setup() {
  const d = new FakeDirectory();
  await d.addDomain("example.org");
  await d.addDomain("example.net");
  const alice = await d.createAccount({ address: "alice@example.org", passwordHash: "x" });
  const bob = await d.createAccount({ address: "bob@example.org", passwordHash: "x" });
  return { d, alice, bob };
}

describe("canSendAs", () => {
  test("own address and its plus-variants, case-insensitively", async () => {
    const { d, alice } = await setup();
    assert.equal(await canSendAs(d, alice, "alice@example.org"), true);
    assert.equal(await canSendAs(d, alice, "Alice@EXAMPLE.org"), true);
    assert.equal(await canSendAs(d, alice, "alice+lists@example.org"), true);
    assert.equal(await canSendAs(d, alice, "bob@example.org"), false);
    assert.equal(await canSendAs(d, alice, "alice@example.net"), false);
    assert.equal(await canSendAs(d, alice, "alicex@example.org"), false);
    assert.equal(await canSendAs(d, alice, "garbage"), false);
  });

  test("aliases that name the account directly", async () => {
    const { d, alice, bob } = await setup();
    await d.addAlias("sales@example.org", ["bob@example.org", "ALICE@example.org"]);
    await d.addAlias("outer@example.org", ["sales@example.org"]);
    assert.equal(await canSendAs(d, alice, "sales@example.org"), true);
    assert.equal(await canSendAs(d, alice, "sales+q3@example.org"), true);
    assert.equal(await canSendAs(d, bob, "Sales@example.org"), true);
    assert.equal(await canSendAs(d, alice, "outer@example.org"), false); // only direct targets
  });

  test("a catch-all does not let its target send as everyone, unless granted", async () => {
    const { d, alice } = await setup();
    await d.addAlias("@example.org", ["alice@example.org"]);
    assert.equal(await canSendAs(d, alice, "ceo@example.org"), false);
    await d.grantSendAs(alice.id, "@example.org");
    assert.equal(await canSendAs(d, alice, "ceo@example.org"), true);
    assert.equal(await canSendAs(d, alice, "ceo@example.net"), false);
  });

  test("explicit send-as grants", async () => {
    const { d, alice } = await setup();
    await d.grantSendAs(alice.id, "Newsletter@example.net");
    assert.equal(await canSendAs(d, alice, "newsletter@example.net"), true);
    assert.equal(await canSendAs(d, alice, "newsletter+x@example.net"), true);
    assert.equal(await canSendAs(d, alice, "other@example.net"), false);
    await d.revokeSendAs(alice.id, "Newsletter@example.net");
    assert.equal(await canSendAs(d, alice, "newsletter@example.net"), false);
  });
});
