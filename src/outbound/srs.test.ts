// SRS (srs.ts): the addresses libsrs2/postsrsd write, reversed only with a valid hash and age.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadSrsKey, SRS_KEY_FILE, Srs, srsTag } from "./srs.js";

const key = Buffer.alloc(32, 7);
const DAY = 86_400_000;
const at = (days: number) => () => Date.UTC(2026, 11, 6) + days * DAY;

describe("SRS", () => {
  const srs = new Srs({ key, domain: "Fwd.Example", maxAgeDays: 21, now: at(0) });

  test("SRS0 for a first forward, reversed to the original sender", () => {
    const a = srs.forward("Alice.Smith@Orig.test");
    assert.match(a, /^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=Orig\.test=Alice\.Smith@fwd\.example$/);
    assert.equal(srs.reverse(a), "Alice.Smith@Orig.test");
  });

  test("case-insensitive: an MTA that lower-cases the address still gets the bounce back", () => {
    const a = srs.forward("bob@orig.test");
    assert.equal(srs.reverse(a.toLowerCase()), "bob@orig.test");
    assert.equal(srs.reverse(a.toUpperCase())?.toLowerCase(), "bob@orig.test");
    assert.equal(srs.reverse(a.replace(/^SRS0=/, "SRS0+")), "bob@orig.test");
  });

  test("a bad hash, another domain or a non-SRS address is not reversed", () => {
    const a = srs.forward("bob@orig.test");
    const parts = a.split("=");
    const bad = [parts[0], "AAAA", ...parts.slice(2)].join("=");
    assert.equal(srs.reverse(bad), null);
    assert.equal(srs.reverse(a.replace("@fwd.example", "@other.example")), null);
    assert.equal(srs.reverse("bob@fwd.example"), null);
    assert.equal(srs.reverse("SRS0=x@fwd.example"), null);
    // Another key's address
    const other = new Srs({ key: Buffer.alloc(32, 8), domain: "fwd.example", maxAgeDays: 21, now: at(0) });
    assert.equal(other.reverse(a), null);
  });

  test("expires after maxAgeDays, across the 1024-day wrap too", () => {
    const a = srs.forward("bob@orig.test");
    const later = (d: number) => new Srs({ key, domain: "fwd.example", maxAgeDays: 21, now: at(d) });
    assert.equal(later(21).reverse(a), "bob@orig.test");
    assert.equal(later(22).reverse(a), null);
    // Written 3 days before the day counter wraps, read 5 days after it
    const day = Math.floor(at(0)() / DAY) % 1024;
    const before = 1021 - day;
    const b = new Srs({ key, domain: "fwd.example", maxAgeDays: 21, now: at(before) }).forward("x@y.test");
    assert.equal(later(before + 8).reverse(b), "x@y.test");
    assert.equal(later(before + 30).reverse(b), null);
  });

  test("someone else's SRS0 becomes SRS1 pointing at them; its reversal is their SRS0", () => {
    const theirs = new Srs({ key: Buffer.alloc(32, 9), domain: "first.test", maxAgeDays: 21, now: at(0) });
    const s0 = theirs.forward("carol@orig.test");
    const s1 = srs.forward(s0);
    assert.match(
      s1,
      /^SRS1=[A-Za-z0-9+/]{4}=first\.test==[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=orig\.test=carol@fwd\.example$/,
    );
    assert.equal(srs.reverse(s1), s0);
    assert.equal(theirs.reverse(srs.reverse(s1)!), "carol@orig.test");
    // Forwarded once more by a third: still points at the first forwarder
    const third = new Srs({ key: Buffer.alloc(32, 3), domain: "third.test", maxAgeDays: 21, now: at(0) });
    const again = third.forward(s1);
    assert.match(again, /^SRS1=[^=]{4}=first\.test==/);
    assert.equal(third.reverse(again), s0);
  });

  test("the null sender and our own SRS addresses are left alone", () => {
    assert.equal(srs.forward(""), "");
    const a = srs.forward("bob@orig.test");
    assert.equal(srs.forward(a), a);
  });

  test("srsTag", () => {
    assert.equal(srsTag("SRS0=abcd=AB=x=y"), "SRS0");
    assert.equal(srsTag("srs1+abcd"), "SRS1");
    assert.equal(srsTag("srs2=x"), null);
    assert.equal(srsTag("srs0"), null);
    assert.equal(srsTag("alice"), null);
  });

  test("the key file: made once (0600), read back, a damaged one refused", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-srs-"));
    try {
      const [k1, k2] = await Promise.all([loadSrsKey(dir), loadSrsKey(dir)]);
      assert.equal(k1.length, 32);
      assert.deepEqual(k1, k2);
      assert.deepEqual(await loadSrsKey(dir), k1);
      assert.equal((await readFile(join(dir, SRS_KEY_FILE), "utf8")).trim(), k1.toString("base64"));
      await writeFile(join(dir, SRS_KEY_FILE), "short\n");
      await assert.rejects(loadSrsKey(dir), /not a 32-byte base64 key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
