// JMAP Sieve (RFC 9661) over a real server and HTTP: the capability and its limits from [sieve],
// content through the upload and download endpoints byte for byte, SieveScript/get, /set
// (create, rename, new content, destroy, onSuccessActivateScript / onSuccessDeactivateScript and
// the exclusivity of the active script), /query, /changes, /validate, and every SetError:
// invalidSieve with line and column, tooLarge, overQuota, alreadyExists, sieveIsActive.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { supportedExtensions } from "../../sieve/index.js";
import { type JmapTest, type Resp, startJmapTest, USING } from "../test-support.js";

const CAP = "urn:ietf:params:jmap:sieve";
const WITH = [...USING, CAP];
/** Untyped JSON; each field a test uses is asserted. */
// biome-ignore lint/suspicious/noExplicitAny: JSON responses.
type Json = any;

const FILE_BANK =
  'require "fileinto";\r\nif address :is "from" "bank@example.net" {\r\n  fileinto "Finance";\r\n}\r\n';

describe("JMAP Sieve (RFC 9661)", () => {
  let t: JmapTest;
  before(async () => {
    t = await startJmapTest(0, { config: { sieve: { maxScripts: 3, maxScriptBytes: 1024 } } });
  });
  after(() => t.close());

  const call = async (name: string, args: object): Promise<Resp> =>
    (await t.api([[name, { accountId: t.accountId, ...args }, "0"]], WITH))[0]!;
  const upload = async (body: string | Buffer): Promise<string> => {
    const r = await fetch(`${t.base}/jmap/upload/${t.accountId}/`, {
      method: "POST",
      headers: { Authorization: t.basic, "Content-Type": "application/sieve" },
      body,
    });
    assert.equal(r.status, 201);
    return ((await r.json()) as Json).blobId;
  };
  const download = async (blobId: string) => {
    const r = await fetch(`${t.base}/jmap/download/${t.accountId}/${blobId}/s.sieve`, {
      headers: { Authorization: t.basic },
    });
    return {
      status: r.status,
      type: r.headers.get("content-type"),
      body: Buffer.from(await r.arrayBuffer()),
    };
  };
  const scripts = async (): Promise<Json[]> => (await call("SieveScript/get", { ids: null }))[1].list;
  const activeNames = async () => (await scripts()).filter((s) => s.isActive).map((s) => s.name);
  const destroyAll = async () => {
    await call("SieveScript/set", { onSuccessDeactivateScript: true });
    const ids = (await scripts()).map((s) => s.id);
    if (ids.length > 0) await call("SieveScript/set", { destroy: ids });
  };

  test("the Session offers the capability with the [sieve] limits; methods need it in using", async () => {
    const r = await fetch(`${t.base}/.well-known/jmap`, { headers: { Authorization: t.basic } });
    const s = (await r.json()) as Json;
    assert.deepEqual(s.capabilities[CAP], {});
    assert.deepEqual(s.accounts[t.accountId].accountCapabilities[CAP], {
      implementation: "Yubin",
      maxSizeScriptName: 512,
      maxSizeScript: 1024,
      maxNumberScripts: 3,
      maxNumberRedirects: t.ts.config.sieve.maxRedirects,
      sieveExtensions: [...supportedExtensions].sort(),
      notificationMethods: ["mailto"],
      externalLists: null,
    });
    assert.ok(s.accounts[t.accountId].accountCapabilities[CAP].sieveExtensions.includes("fileinto"));
    assert.equal(s.primaryAccounts[CAP], t.accountId);
    const without = await t.api([["SieveScript/get", { accountId: t.accountId }, "0"]]);
    assert.deepEqual(without[0], [
      "error",
      { type: "unknownMethod", description: "unknown method SieveScript/get" },
      "0",
    ]);
  });

  test("[sieve] enabled = false: neither the capability nor its methods", async () => {
    const off = await startJmapTest(0, { config: { sieve: { enabled: false } } });
    try {
      const r = await fetch(`${off.base}/.well-known/jmap`, { headers: { Authorization: off.basic } });
      const s = (await r.json()) as Json;
      assert.equal(s.capabilities[CAP], undefined);
      assert.equal(s.accounts[off.accountId].accountCapabilities[CAP], undefined);
      await assert.rejects(
        off.api([["SieveScript/get", { accountId: off.accountId }, "0"]], WITH),
        /HTTP 400/,
      );
    } finally {
      await off.close();
    }
  });

  test("create from an upload, get it, download its blob byte for byte; a made-up name when none", async () => {
    // UTF-8 and CRLF line ends: what was uploaded is what comes back.
    const text = `# Bänk – Überweisungen\r\n${FILE_BANK}`;
    const blobId = await upload(text);
    const [name, set] = await call("SieveScript/set", {
      create: { a: { name: "Bank rules", blobId }, b: { blobId: await upload("keep;\n") } },
    });
    assert.equal(name, "SieveScript/set");
    assert.equal(set.notCreated, null);
    const a = set.created.a;
    assert.deepEqual(a, { id: a.id, blobId, isActive: false }, "the upload's blobId: content-addressed");
    assert.match(a.id, /^S[1-9][0-9]*$/);
    const b = set.created.b;
    assert.deepEqual(b, { id: b.id, name: "script-1", blobId: b.blobId, isActive: false });
    const g = await call("SieveScript/get", {
      ids: [a.id, "S999999", "junk"],
      properties: ["name", "blobId"],
    });
    assert.deepEqual(g[1].list, [{ id: a.id, name: "Bank rules", blobId }]);
    assert.deepEqual(g[1].notFound, ["S999999", "junk"]);
    const d = await download(blobId);
    assert.equal(d.status, 200);
    assert.ok(d.body.equals(Buffer.from(text, "utf8")), "byte-exact round trip");
    // The same content through the store (as ManageSieve would write it): still downloadable.
    assert.equal((await t.ts.store.sieve.get(t.user.id, "Bank rules"))?.content, text);
    await destroyAll();
    assert.equal((await download(blobId)).status, 200, "the upload itself is still pending");
    // A script that was never uploaded (ManageSieve, the webmail, the CLI write the store): its
    // blob is the script itself.
    const own = "# written elsewhere\r\nkeep;\r\n";
    await t.ts.store.sieve.put(t.user.id, "elsewhere", own, { maxScripts: 3, maxTotalBytes: 3072 });
    const listed = (await scripts())[0];
    const e = await download(listed.blobId);
    assert.deepEqual([e.status, e.type, e.body.toString("utf8")], [200, "application/sieve", own]);
    await destroyAll();
    assert.equal((await download(listed.blobId)).status, 404, "gone with the script");
  });

  test("invalid scripts: invalidSieve naming line and column, in /set and /validate; not UTF-8; missing blob", async () => {
    const bad = await upload('require "fileinto";\nif true {\n  frobnicate "x";\n}\n');
    const v = await call("SieveScript/validate", { blobId: bad });
    assert.equal(v[0], "SieveScript/validate");
    assert.equal(v[1].error.type, "invalidSieve");
    assert.match(v[1].error.description, /line 3, column 3: .*frobnicate/);
    const ok = await call("SieveScript/validate", { blobId: await upload(FILE_BANK) });
    assert.deepEqual(ok[1], { accountId: t.accountId, error: null });
    const s = await call("SieveScript/set", {
      create: {
        x: { name: "bad", blobId: bad },
        y: { name: "latin1", blobId: await upload(Buffer.from([0x23, 0xe9, 0x0a])) },
      },
    });
    assert.equal(s[1].created, null);
    assert.equal(s[1].notCreated.x.type, "invalidSieve");
    assert.match(s[1].notCreated.x.description, /^line 3, column 3: /);
    assert.equal(s[1].notCreated.y.type, "invalidSieve");
    const missing = `G${"0".repeat(64)}`;
    const m = await call("SieveScript/validate", { blobId: missing });
    assert.equal(m[1].error.type, "blobNotFound");
    assert.equal((await call("SieveScript/validate", { blobId: 5 }))[1].type, "invalidArguments");
    assert.deepEqual(await scripts(), [], "nothing was stored");
  });

  test("activation: exclusive, reported in created/updated; the active one cannot be destroyed", async () => {
    const blobId = await upload(FILE_BANK);
    const one = await call("SieveScript/set", {
      create: { A: { name: "one", blobId } },
      onSuccessActivateScript: "#A",
    });
    const idOne = one[1].created.A.id;
    assert.equal(one[1].created.A.isActive, true);
    assert.deepEqual(await activeNames(), ["one"]);
    const two = await call("SieveScript/set", {
      create: { B: { name: "two", blobId } },
      onSuccessActivateScript: "#B",
    });
    const idTwo = two[1].created.B.id;
    assert.equal(two[1].created.B.isActive, true);
    assert.deepEqual(two[1].updated, { [idOne]: { isActive: false } });
    assert.deepEqual(await activeNames(), ["two"]);
    // Switching back with an update in the same call: both changes in updated.
    const back = await call("SieveScript/set", {
      update: { [idOne]: { name: "one!" } },
      onSuccessActivateScript: idOne,
    });
    assert.deepEqual(back[1].updated, { [idOne]: { isActive: true }, [idTwo]: { isActive: false } });
    // RFC 9661 2.4: the active script is not destroyed, even with onSuccessDeactivateScript.
    const d = await call("SieveScript/set", { destroy: [idOne], onSuccessDeactivateScript: true });
    assert.equal(d[1].notDestroyed[idOne].type, "sieveIsActive");
    assert.deepEqual(await activeNames(), ["one!"], "a failed call activates or deactivates nothing");
    // An unknown id to activate is ignored; deactivation still happens (it comes first).
    const off = await call("SieveScript/set", {
      onSuccessDeactivateScript: true,
      onSuccessActivateScript: "S999999",
    });
    assert.deepEqual(off[1].updated, { [idOne]: { isActive: false } });
    assert.deepEqual(await activeNames(), []);
    assert.equal(await t.ts.store.sieve.active(t.user.id), null, "the store agrees");
    const gone = await call("SieveScript/set", { destroy: [idOne, idTwo, "S999999"] });
    assert.deepEqual(gone[1].destroyed, [idOne, idTwo]);
    assert.equal(gone[1].notDestroyed.S999999.type, "notFound");
    // isActive is server-set: only its current value may be sent.
    const direct = await call("SieveScript/set", { create: { C: { name: "c", blobId, isActive: true } } });
    assert.deepEqual(direct[1].notCreated.C.properties, ["isActive"]);
    assert.equal(direct[1].notCreated.C.type, "invalidProperties");
  });

  test("limits: tooLarge, overQuota, alreadyExists with existingId, names; rename and new content", async () => {
    const blobId = await upload(FILE_BANK);
    const big = await upload(`# ${"x".repeat(1022)}\n`); // 1,025 octets: one over maxSizeScript
    const r = await call("SieveScript/set", {
      create: {
        a: { name: "a", blobId },
        b: { name: "b", blobId },
        big: { name: "big", blobId: big },
        long: { name: "n".repeat(513), blobId },
        ctl: { name: "tab\there", blobId },
        nob: { name: "nob" },
      },
    });
    assert.deepEqual(Object.keys(r[1].created).sort(), ["a", "b"]);
    assert.equal(r[1].notCreated.big.type, "tooLarge");
    assert.deepEqual(r[1].notCreated.long.properties, ["name"]);
    assert.deepEqual(r[1].notCreated.ctl.properties, ["name"]);
    assert.deepEqual(r[1].notCreated.nob.properties, ["blobId"]);
    const idA = r[1].created.a.id;
    const dup = await call("SieveScript/set", { create: { a2: { name: "a", blobId } } });
    assert.deepEqual(dup[1].notCreated.a2, {
      type: "alreadyExists",
      description: 'a script named "a" exists',
      existingId: idA,
    });
    const third = await call("SieveScript/set", {
      create: { c: { name: "c", blobId }, d: { name: "d", blobId } },
    });
    assert.ok(third[1].created.c);
    assert.equal(third[1].notCreated.d.type, "overQuota", "maxNumberScripts is 3");
    // Rename onto a taken name; then rename and replace the content in one update.
    const clash = await call("SieveScript/set", { update: { [idA]: { name: "b" } } });
    assert.equal(clash[1].notUpdated[idA].type, "alreadyExists");
    const newText = "discard;\n";
    const newBlob = await upload(newText);
    const u = await call("SieveScript/set", { update: { [idA]: { name: "renamed", blobId: newBlob } } });
    assert.deepEqual(u[1].updated, { [idA]: null });
    const got = (await call("SieveScript/get", { ids: [idA] }))[1].list[0];
    assert.deepEqual(got, { id: idA, name: "renamed", blobId: newBlob, isActive: false });
    assert.ok((await download(newBlob)).body.equals(Buffer.from(newText)));
    const tooBig = await call("SieveScript/set", { update: { [idA]: { blobId: big } } });
    assert.equal(tooBig[1].notUpdated[idA].type, "tooLarge");
    const immut = await call("SieveScript/set", { update: { [idA]: { id: "S1234" } } });
    assert.deepEqual(immut[1].notUpdated[idA].properties, ["id"]);
    await destroyAll();
  });

  test("query filters and sorts; changes report creates, updates and destroys; ifInState", async () => {
    const blobId = await upload(FILE_BANK);
    const s0 = (await call("SieveScript/get", { ids: [] }))[1].state;
    const c = await call("SieveScript/set", {
      create: {
        x: { name: "Work", blobId },
        y: { name: "family", blobId },
        z: { name: "Newsletters", blobId },
      },
      onSuccessActivateScript: "#y",
    });
    const [x, y, z] = ["x", "y", "z"].map((k) => c[1].created[k].id);
    const q = async (args: object) => (await call("SieveScript/query", args))[1];
    assert.deepEqual((await q({ sort: [{ property: "name" }] })).ids, [y, z, x]);
    assert.deepEqual((await q({ sort: [{ property: "name", isAscending: false }] })).ids, [x, z, y]);
    assert.deepEqual((await q({ filter: { isActive: true } })).ids, [y]);
    assert.deepEqual((await q({ filter: { name: "WOR" } })).ids, [x]);
    assert.deepEqual(
      (
        await q({
          filter: { operator: "NOT", conditions: [{ isActive: true }] },
          sort: [{ property: "name" }],
        })
      ).ids,
      [z, x],
    );
    const page = await q({ sort: [{ property: "name" }], position: 1, limit: 1, calculateTotal: true });
    assert.deepEqual([page.ids, page.position, page.total, page.canCalculateChanges], [[z], 1, 3, false]);
    assert.equal(
      (await call("SieveScript/query", { sort: [{ property: "size" }] }))[1].type,
      "unsupportedSort",
    );
    assert.equal((await call("SieveScript/query", { filter: { text: "x" } }))[1].type, "unsupportedFilter");

    const ch = (await call("SieveScript/changes", { sinceState: s0 }))[1];
    assert.deepEqual([ch.created.sort(), ch.updated, ch.destroyed], [[x, y, z].sort(), [], []]);
    const s1 = ch.newState;
    await call("SieveScript/set", { update: { [x]: { name: "Job" } }, onSuccessDeactivateScript: true });
    await call("SieveScript/set", { destroy: [z] });
    const ch2 = (await call("SieveScript/changes", { sinceState: s1 }))[1];
    assert.deepEqual([ch2.created, ch2.updated.sort(), ch2.destroyed], [[], [x, y].sort(), [z]]);
    const stale = await call("SieveScript/set", { ifInState: s1, destroy: [x] });
    assert.deepEqual(stale[1].type, "stateMismatch");
    const fresh = await call("SieveScript/set", { ifInState: ch2.newState, destroy: [x] });
    assert.deepEqual(fresh[1].destroyed, [x]);
    assert.equal(fresh[1].oldState, ch2.newState);
    assert.notEqual(fresh[1].newState, ch2.newState);
    // A change made outside JMAP (ManageSieve, webmail, CLI: the store) shows up too.
    await t.ts.store.sieve.rename(t.user.id, "family", "Family");
    const ch3 = (await call("SieveScript/changes", { sinceState: fresh[1].newState }))[1];
    assert.deepEqual(ch3.updated, [y]);
    await destroyAll();
  });
});
