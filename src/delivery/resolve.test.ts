import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeDirectory } from "./fake-directory.js";
import { resolveRecipient as resolveWithFacts } from "./resolve.js";

/** The resolution without the account facts (compared apart: "the account's facts come with it"). */
async function resolveRecipient(...args: Parameters<typeof resolveWithFacts>) {
  const r = await resolveWithFacts(...args);
  if (r.kind !== "local") return r;
  const { facts: _facts, ...rest } = r;
  return rest;
}

async function setup() {
  const d = new FakeDirectory();
  await d.addDomain("example.org");
  await d.addDomain("example.net");
  await d.addDomain("xn--bcher-kva.de");
  const mk = (address: string) => d.createAccount({ address, passwordHash: "x" });
  const alice = await mk("alice@example.org");
  const bob = await mk("bob@example.org");
  const carol = await mk("carol@example.net");
  const Dave = await mk("Dave@example.org"); // local part stored with a capital, as typed
  const jose = await mk("josé@xn--bcher-kva.de");
  return { d, ids: { alice: alice.id, bob: bob.id, carol: carol.id, dave: Dave.id, jose: jose.id } };
}

const local = (accountIds: number[], remote: string[] = []) => ({ kind: "local", accountIds, remote });

describe("resolveRecipient", () => {
  test("an account, whatever the case of local part and domain", async () => {
    const { d, ids } = await setup();
    assert.deepEqual(await resolveRecipient(d, "alice@example.org"), local([ids.alice]));
    assert.deepEqual(await resolveRecipient(d, "ALICE@Example.ORG"), local([ids.alice]));
    assert.deepEqual(await resolveRecipient(d, "Dave@example.org"), local([ids.dave]));
    assert.deepEqual(await resolveRecipient(d, '"alice"@example.org'), local([ids.alice]));
  });

  test("IDN domains given as U-labels find accounts stored under A-labels", async () => {
    const { d, ids } = await setup();
    assert.deepEqual(await resolveRecipient(d, "josé@bücher.de"), local([ids.jose]));
    assert.deepEqual(await resolveRecipient(d, "josé@BÜCHER.de"), local([ids.jose]));
    assert.deepEqual(await resolveRecipient(d, "josé@xn--bcher-kva.de"), local([ids.jose]));
  });

  test("a foreign domain is remote, kept as given", async () => {
    const { d } = await setup();
    assert.deepEqual(await resolveRecipient(d, "Someone@Elsewhere.example"), {
      kind: "remote",
      address: "Someone@Elsewhere.example",
    });
    assert.deepEqual(await resolveRecipient(d, "x@[192.0.2.1]"), {
      kind: "remote",
      address: "x@[192.0.2.1]",
    });
  });

  test("a disabled account receives nothing: alone it is 'disabled', in an alias it is left out; 'accept' files as usual", async () => {
    const { d, ids } = await setup();
    await d.updateAccount(ids.bob, { disabled: true });
    await d.addAlias("pair@example.org", ["bob@example.org", "alice@example.org"]);
    await d.addAlias("onlybob@example.org", ["bob@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "bob@example.org"), { kind: "disabled" });
    assert.deepEqual(await resolveRecipient(d, "bob+tag@example.org"), { kind: "disabled" });
    assert.deepEqual(await resolveRecipient(d, "onlybob@example.org"), { kind: "disabled" });
    assert.deepEqual(await resolveRecipient(d, "pair@example.org"), local([ids.alice]));
    const accept = { disabledAccounts: "accept" } as const;
    assert.deepEqual(await resolveRecipient(d, "bob@example.org", accept), local([ids.bob]));
    assert.deepEqual(await resolveRecipient(d, "pair@example.org", accept), local([ids.bob, ids.alice]));
  });

  test("unknown users and malformed addresses", async () => {
    const { d } = await setup();
    assert.deepEqual(await resolveRecipient(d, "nobody@example.org"), {
      kind: "unknown",
      reason: "no such user",
    });
    assert.deepEqual(await resolveRecipient(d, "not an address"), {
      kind: "unknown",
      reason: "malformed address",
    });
    assert.deepEqual(await resolveRecipient(d, "a..b@example.org"), {
      kind: "unknown",
      reason: "malformed address",
    });
  });

  test("aliases resolve recursively to accounts and remote forwards, without duplicates", async () => {
    const { d, ids } = await setup();
    await d.addAlias("team@example.org", [
      "alice@example.org",
      "sales@example.org",
      "friend@elsewhere.example",
    ]);
    await d.addAlias("sales@example.org", ["BOB@example.org", "carol@example.net", "alice@example.org"]);
    assert.deepEqual(
      await resolveRecipient(d, "Team@EXAMPLE.org"),
      local([ids.alice, ids.bob, ids.carol], ["friend@elsewhere.example"]),
    );
  });

  test("an alias with only remote targets is still ours, with no accounts", async () => {
    const { d } = await setup();
    await d.addAlias("fwd@example.org", ["me@elsewhere.example"]);
    assert.deepEqual(await resolveRecipient(d, "fwd@example.org"), local([], ["me@elsewhere.example"]));
  });

  test("an account wins over an alias of the same address", async () => {
    const { d, ids } = await setup();
    await d.addAlias("alice@example.org", ["bob@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "alice@example.org"), local([ids.alice]));
  });

  test("plus-addressing reaches the account or alias of the base address", async () => {
    const { d, ids } = await setup();
    await d.addAlias("team@example.org", ["bob@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "alice+lists@example.org"), local([ids.alice]));
    assert.deepEqual(await resolveRecipient(d, "Alice+A+B@example.org"), local([ids.alice]));
    assert.deepEqual(await resolveRecipient(d, "team+x@example.org"), local([ids.bob]));
    assert.equal((await resolveRecipient(d, "nobody+x@example.org")).kind, "unknown");
    // An explicit alias for the plus-address itself is preferred.
    await d.addAlias("alice+special@example.org", ["carol@example.net"]);
    assert.deepEqual(await resolveRecipient(d, "alice+special@example.org"), local([ids.carol]));
  });

  test("the catch-all takes what nothing else does, in its own domain only", async () => {
    const { d, ids } = await setup();
    await d.addAlias("@example.org", ["bob@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "anything@example.org"), local([ids.bob]));
    assert.deepEqual(await resolveRecipient(d, "x+y@example.org"), local([ids.bob]));
    assert.deepEqual(await resolveRecipient(d, "alice@example.org"), local([ids.alice]));
    assert.equal((await resolveRecipient(d, "anything@example.net")).kind, "unknown");
  });

  test("alias loops terminate and keep what they reach", async () => {
    const { d, ids } = await setup();
    await d.addAlias("a@example.org", ["b@example.org"]);
    await d.addAlias("b@example.org", ["a@example.org", "alice@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "a@example.org"), local([ids.alice]));
    await d.addAlias("x@example.org", ["y@example.org"]);
    await d.addAlias("y@example.org", ["x@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "x@example.org"), { kind: "unknown", reason: "no such user" });
    // A catch-all that points at a missing address of its own domain.
    await d.addAlias("@example.net", ["ghost@example.net"]);
    assert.deepEqual(await resolveRecipient(d, "who@example.net"), {
      kind: "unknown",
      reason: "no such user",
    });
  });

  test("nesting deeper than maxDepth is cut", async () => {
    const { d, ids } = await setup();
    for (let i = 0; i < 5; i++) await d.addAlias(`l${i}@example.org`, [`l${i + 1}@example.org`]);
    await d.addAlias("l5@example.org", ["alice@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "l0@example.org", { maxDepth: 6 }), local([ids.alice]));
    assert.deepEqual(await resolveRecipient(d, "l0@example.org", { maxDepth: 5 }), {
      kind: "unknown",
      reason: "alias nesting too deep or too large",
    });
  });

  test("fan-out is bounded by maxAddresses", async () => {
    const { d } = await setup();
    const targets = Array.from({ length: 50 }, (_, i) => `r${i}@elsewhere.example`);
    await d.addAlias("big@example.org", targets);
    const r = await resolveRecipient(d, "big@example.org", { maxAddresses: 11 });
    assert.equal(r.kind, "local");
    assert.equal(r.kind === "local" && r.remote.length, 10);
  });

  test("the account's facts come with its own address, not through an alias", async () => {
    const { d, ids } = await setup();
    await d.addAlias("team@example.org", ["alice@example.org"]);
    const direct = await resolveWithFacts(d, "ALICE@example.org");
    assert.equal(direct.kind, "local");
    assert.deepEqual(direct.kind === "local" && [...(direct.facts?.keys() ?? [])], [ids.alice]);
    const viaAlias = await resolveWithFacts(d, "team@example.org");
    assert.equal(viaAlias.kind === "local" && viaAlias.facts, undefined);
  });

  test("an account's own address costs one query", async () => {
    const { d } = await setup();
    d.queries.length = 0;
    await resolveRecipient(d, "alice@example.org");
    assert.deepEqual(d.queries, ["lookup alice@example.org"]);
  });
});
