import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import {
  activeKeys,
  algorithmsOf,
  DkimKeyError,
  dkimDir,
  ensureDkimKeys,
  generateDkimKeys,
  loadDkimKeys,
} from "./keys.js";

let dataDir = "";
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "yubin-dkim-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const both = algorithmsOf("ed25519+rsa");
const jan2026 = new Date("2026-01-15T00:00:00Z");

describe("DKIM keys", () => {
  test("generate: dated selectors, 0600 files in a 0700 directory, DNS key forms", async () => {
    const keys = await generateDkimKeys(dataDir, "A.Test", { algorithms: both, rsaBits: 2048, now: jan2026 });
    assert.deepEqual(
      keys.map((k) => [k.domain, k.selector, k.algorithm]),
      [
        ["a.test", "y2026a-ed", "ed25519-sha256"],
        ["a.test", "y2026a-rsa", "rsa-sha256"],
      ],
    );
    const dir = dkimDir(dataDir, "a.test");
    assert.equal(dir, join(dataDir, "dkim", "a.test"));
    assert.deepEqual((await readdir(dir)).sort(), ["y2026a-ed.key", "y2026a-rsa.key"]);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, "y2026a-rsa.key"))).mode & 0o777, 0o600);
    const [ed, rsa] = keys as [(typeof keys)[0], (typeof keys)[0]];
    // ed25519: the bare 32-byte key (RFC 8463 §4.2); RSA: SubjectPublicKeyInfo DER, 2048 bits.
    assert.equal(Buffer.from(ed.publicKeyBase64, "base64").length, 32);
    const pub = createPublicKey({
      key: Buffer.from(rsa.publicKeyBase64, "base64"),
      format: "der",
      type: "spki",
    });
    assert.equal(pub.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(createPrivateKey(rsa.privateKeyPem).asymmetricKeyType, "rsa");
  });

  test("rotation takes the next letter; the newest key of each algorithm signs", async () => {
    await generateDkimKeys(dataDir, "a.test", { algorithms: both, rsaBits: 1024, now: jan2026 });
    const second = await generateDkimKeys(dataDir, "a.test", {
      algorithms: both,
      rsaBits: 1024,
      now: jan2026,
    });
    assert.deepEqual(
      second.map((k) => k.selector),
      ["y2026b-ed", "y2026b-rsa"],
    );
    const all = await loadDkimKeys(dataDir, "a.test");
    assert.deepEqual(
      all.map((k) => k.selector),
      ["y2026b-ed", "y2026b-rsa", "y2026a-ed", "y2026a-rsa"],
    );
    assert.deepEqual(
      activeKeys(all, both).map((k) => k.selector),
      ["y2026b-ed", "y2026b-rsa"],
    );
    assert.deepEqual(
      activeKeys(all, algorithmsOf("rsa")).map((k) => k.selector),
      ["y2026b-rsa"],
    );
    // A new year starts again at "a", and sorts after the old year's keys.
    const next = await generateDkimKeys(dataDir, "a.test", {
      algorithms: algorithmsOf("ed25519"),
      rsaBits: 1024,
      now: new Date("2027-03-01T00:00:00Z"),
    });
    assert.equal(next[0]?.selector, "y2027a-ed");
    assert.equal((await loadDkimKeys(dataDir, "a.test"))[0]?.selector, "y2027a-ed");
  });

  test("after z come za … zz, zza, still in order", async () => {
    const dir = dkimDir(dataDir, "a.test");
    const [one] = await generateDkimKeys(dataDir, "a.test", {
      algorithms: algorithmsOf("ed25519"),
      rsaBits: 1024,
      now: jan2026,
    });
    await writeFile(join(dir, "y2026z-ed.key"), one!.privateKeyPem);
    const [za] = await generateDkimKeys(dataDir, "a.test", {
      algorithms: algorithmsOf("ed25519"),
      rsaBits: 1024,
      now: jan2026,
    });
    assert.equal(za?.selector, "y2026za-ed");
    await writeFile(join(dir, "y2026zz-ed.key"), one!.privateKeyPem);
    const [zza] = await generateDkimKeys(dataDir, "a.test", {
      algorithms: algorithmsOf("ed25519"),
      rsaBits: 1024,
      now: jan2026,
    });
    assert.equal(zza?.selector, "y2026zza-ed");
    assert.deepEqual(
      (await loadDkimKeys(dataDir, "a.test")).map((k) => k.selector),
      ["y2026zza-ed", "y2026zz-ed", "y2026za-ed", "y2026z-ed", "y2026a-ed"],
    );
  });

  test("ensure: only missing algorithms are generated; a key under any name is used", async () => {
    assert.deepEqual(await loadDkimKeys(dataDir, "b.test"), []);
    const first = await ensureDkimKeys(dataDir, "b.test", {
      algorithms: algorithmsOf("ed25519"),
      rsaBits: 1024,
      now: jan2026,
    });
    assert.equal(first.length, 1);
    assert.deepEqual(
      await ensureDkimKeys(dataDir, "b.test", { algorithms: algorithmsOf("ed25519"), rsaBits: 1024 }),
      [],
    );
    const added = await ensureDkimKeys(dataDir, "b.test", { algorithms: both, rsaBits: 1024, now: jan2026 });
    assert.deepEqual(
      added.map((k) => k.selector),
      ["y2026b-rsa"],
    );
    // Imported by hand under another name: loaded, and older than the dated ones.
    await writeFile(join(dkimDir(dataDir, "b.test"), "mail.key"), first[0]!.privateKeyPem);
    const all = await loadDkimKeys(dataDir, "b.test");
    assert.equal(all.at(-1)?.selector, "mail");
    assert.equal(all.at(-1)?.algorithm, "ed25519-sha256");
  });

  test("bad domain names and broken key files are errors, not paths", async () => {
    assert.throws(() => dkimDir(dataDir, "../etc"), DkimKeyError);
    assert.throws(() => dkimDir(dataDir, "a/b"), DkimKeyError);
    await generateDkimKeys(dataDir, "c.test", { algorithms: algorithmsOf("ed25519"), rsaBits: 1024 });
    await writeFile(join(dkimDir(dataDir, "c.test"), "junk.key"), "not a key");
    await assert.rejects(loadDkimKeys(dataDir, "c.test"), /junk of c.test is not a private key/);
  });
});
