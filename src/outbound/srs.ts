// Sender Rewriting Scheme, as libsrs2 and Postfix's postsrsd write it (the SRS paper by Shevek,
// "Sender Rewriting Scheme", 2004; no RFC). A message from another domain that we forward to
// another domain (a Sieve redirect, a forwarding alias) leaves with an envelope sender of ours,
// so the receiver's SPF check (RFC 7208) of our IP passes, and a bounce still finds its way back:
//
//   SRS0=HHHH=TT=orig.example=user@srs.domain        a first forward of user@orig.example
//   SRS1=HHHH=first.example==HHHH=TT=orig=user@srs.domain   forwarding someone else's SRS0
//
// HHHH: the first 4 characters of base64(HMAC-SHA1(key, the rest lower-cased)), checked
// case-insensitively (some MTAs lower-case local parts); TT: days since 1970 mod 1024 in two
// base32 characters, valid for maxAgeDays. A bounce to an SRS0 address of ours is reversed to the
// original sender; an SRS1 to the SRS0 address at the first forwarder. Only valid hashes and
// unexpired timestamps are reversed: nobody can use us to relay to an address of their choosing.
import { createHmac, timingSafeEqual } from "node:crypto";
import { loadKeyFile } from "../server/key-file.js";

/** File in the data directory holding the SRS key (32 random bytes, base64). */
export const SRS_KEY_FILE = "srs.key";

const HASH_LENGTH = 4; // libsrs2's default
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const DAY_MS = 86_400_000;
const TIME_SLOTS = 1024; // two base32 characters

export interface SrsOptions {
  key: Buffer;
  /** The domain of the addresses we write (outbound.srsDomain). */
  domain: string;
  maxAgeDays: number;
  now?: () => number;
}

export class Srs {
  readonly domain: string;
  private readonly key: Buffer;
  private readonly maxAgeDays: number;
  private readonly now: () => number;

  constructor(opts: SrsOptions) {
    this.key = opts.key;
    this.domain = opts.domain.toLowerCase();
    this.maxAgeDays = opts.maxAgeDays;
    this.now = opts.now ?? Date.now;
  }

  /** The envelope sender to forward a message from `sender` with ("" stays "": a bounce must
   *  not be bounced, RFC 5321 §4.5.5). An address already in our SRS domain is left alone. */
  forward(sender: string): string {
    const at = sender.lastIndexOf("@");
    if (sender === "" || at <= 0) return sender;
    const local = sender.slice(0, at);
    const host = sender.slice(at + 1);
    if (host.toLowerCase() === this.domain) return sender;
    const tag = srsTag(local);
    if (tag === "SRS0") {
      // Someone else's SRS0: point back at them, not at the original sender (SRS1).
      const user = local.slice(4);
      return `SRS1=${this.hash(host, user)}=${host}=${user}@${this.domain}`;
    }
    if (tag === "SRS1") {
      // Already SRS1: keep its first forwarder, re-hash for us.
      const parsed = splitSrs1(local);
      if (parsed)
        return `SRS1=${this.hash(parsed.host, parsed.user)}=${parsed.host}=${parsed.user}@${this.domain}`;
    }
    const ts = timestamp(this.now());
    return `SRS0=${this.hash(ts, host, local)}=${ts}=${host}=${local}@${this.domain}`;
  }

  /** The address a bounce to `address` goes to, or null when it is not a valid SRS address of
   *  ours (wrong domain, bad hash, expired). */
  reverse(address: string): string | null {
    const at = address.lastIndexOf("@");
    if (at <= 0 || address.slice(at + 1).toLowerCase() !== this.domain) return null;
    const local = address.slice(0, at);
    const tag = srsTag(local);
    if (tag === "SRS0") {
      const m = /^SRS0[=+-]([^=]+)=([^=]{2})=([^=]+)=(.+)$/i.exec(local);
      if (!m) return null;
      const [, hash, ts, host, user] = m as unknown as [string, string, string, string, string];
      if (!this.hashOk(hash, ts, host, user) || !this.fresh(ts)) return null;
      return `${user}@${host}`;
    }
    if (tag === "SRS1") {
      const parsed = splitSrs1(local);
      if (!parsed || !this.hashOk(parsed.hash, parsed.host, parsed.user)) return null;
      return `SRS0${parsed.user}@${parsed.host}`;
    }
    return null;
  }

  private hash(...parts: string[]): string {
    const h = createHmac("sha1", this.key);
    for (const p of parts) h.update(p.toLowerCase(), "utf8");
    return h.digest("base64").slice(0, HASH_LENGTH);
  }

  private hashOk(given: string, ...parts: string[]): boolean {
    const want = Buffer.from(this.hash(...parts).toLowerCase());
    const got = Buffer.from(given.toLowerCase());
    return want.length === got.length && timingSafeEqual(want, got);
  }

  private fresh(ts: string): boolean {
    const hi = BASE32.indexOf(ts.charAt(0).toUpperCase());
    const lo = BASE32.indexOf(ts.charAt(1).toUpperCase());
    if (hi < 0 || lo < 0) return false;
    const then = hi * 32 + lo;
    const today = Math.floor(this.now() / DAY_MS) % TIME_SLOTS;
    const age = (today - then + TIME_SLOTS) % TIME_SLOTS;
    return age <= this.maxAgeDays;
  }
}

/** "SRS0" or "SRS1" when the local part is an SRS address (any case, separator = + or -). */
export function srsTag(local: string): "SRS0" | "SRS1" | null {
  if (local.length < 5 || !/^srs[01][=+-]/i.test(local)) return null;
  return local.charAt(3) === "0" ? "SRS0" : "SRS1";
}

/** SRS1=HHHH=host=user (user keeps its leading separator, "=HHH=TT=orig=local"). */
function splitSrs1(local: string): { hash: string; host: string; user: string } | null {
  const m = /^SRS1[=+-]([^=]+)=([^=]+)=([=+-].+)$/i.exec(local);
  if (!m) return null;
  return { hash: m[1]!, host: m[2]!, user: m[3]! };
}

function timestamp(nowMs: number): string {
  const t = Math.floor(nowMs / DAY_MS) % TIME_SLOTS;
  return BASE32.charAt(t >> 5) + BASE32.charAt(t & 31);
}

/** The data directory's SRS key (server/key-file.ts: made on first use; a damaged file is an
 *  error, never a new key, which would orphan every bounce in flight). */
export function loadSrsKey(dataDir: string): Promise<Buffer> {
  return loadKeyFile(dataDir, SRS_KEY_FILE);
}
