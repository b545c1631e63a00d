// The ARC sets of a message (RFC 8617 §4.1, §5.1.1), read once for the verifier (arc-verify.ts)
// and the sealer (arc-seal.ts), and the bytes an ARC-Seal signs. Canonicalization is dkim-canon.ts'
// (SP and HTAB only, RFC 6376 §3.4.2): mailauth's took bytes 0x0B, 0x0C and 0xA0 for whitespace,
// so a raw UTF-8 ARC-Authentication-Results holding "à" (C3 A0) sealed and verified wrongly.
//
// The structural checks and their wording are mailauth's getARChain (4.13.3), in its order, so an
// Authentication-Results "arc=fail (...)" reads as it did; the one addition is a cap on the ARC
// fields looked at (`maxFields`), so a header of thousands of them costs nothing beyond the scan.
import type { RawField } from "../mime/headers.js";
import { canonFieldBytes, parseTagList, withoutSignatureValue } from "./dkim-canon.js";
import { RSA_SHA1_COMMENT } from "./dkim-verify.js";

/** RFC 8617 §4.2.1: instances run 1..50. */
export const MAX_ARC_SETS = 50;

export interface ArcSet {
  i: number;
  aar: RawField;
  ams: RawField;
  as: RawField;
  /** The ARC-Seal's tags (a tag list that did not parse never gets this far). */
  asTags: Map<string, string>;
}

/** A chain that reads (sets in instance order, [] for none), or why not: `comment` is the
 *  Authentication-Results comment mailauth wrote for the same defect (null: it wrote none). */
export type ArcChain =
  | { sets: ArcSet[] }
  | { error: string; comment: string | null; lastInstance: number | false };

const NAMES = ["arc-seal", "arc-message-signature", "arc-authentication-results"] as const;
type ArcName = (typeof NAMES)[number];

// "i=1; authserv-id; ..." (RFC 8617 §4.1.1); the instance of the other two is their i= tag.
const AAR_INSTANCE = /^[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*(\d{1,9})[ \t\r\n]*(?:;|$)/;

/** The ARC sets of the header, checked as RFC 8617 §5.1.1 step 2 and mailauth do. Fields without
 *  a readable instance are ignored (as at mailauth). */
export function readArcChain(msg: Buffer, fields: RawField[], maxFields = 3 * MAX_ARC_SETS): ArcChain {
  const byInstance = new Map<number, Partial<Record<ArcName, RawField>> & { asTags?: Map<string, string> }>();
  let seen = 0;
  for (const f of fields) {
    const name = f.lname as ArcName;
    if (!NAMES.includes(name)) continue;
    if (++seen > maxFields)
      // More fields than 50 complete sets hold: a duplicate or more than 50 instances somewhere.
      return fail(`more than ${maxFields} arc header fields`, false);
    const value = msg.toString("latin1", f.valueStart, f.valueEnd);
    let i: number;
    let tags: Map<string, string> | null = null;
    if (name === "arc-authentication-results") {
      const m = AAR_INSTANCE.exec(value);
      i = m ? Number(m[1]) : 0;
    } else {
      tags = parseTagList(value);
      const v = tags?.get("i");
      i = v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : 0;
    }
    if (i === 0) continue;
    let set = byInstance.get(i);
    if (!set) {
      set = {};
      byInstance.set(i, set);
    } else if (set[name]) return fail(`i=${i} multiple ${name} values`, false);
    set[name] = f;
    if (name === "arc-seal" && tags) set.asTags = tags;
  }
  const sorted = [...byInstance.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return { sets: [] };
  const last = sorted[sorted.length - 1]![0];
  if (sorted.length > MAX_ARC_SETS) return fail(`chain-length=${sorted.length}`, last);
  const sets: ArcSet[] = [];
  for (let k = 0; k < sorted.length; k++) {
    const [i, s] = sorted[k]!;
    if (i !== k + 1) return fail(`i=${i} expected=${k + 1}`, last);
    for (const n of NAMES) if (!s[n]) return fail(`i=${i} no ${n} set`, last);
    const asTags = s.asTags!;
    const ams = s["arc-message-signature"]!;
    const amsTags = parseTagList(msg.toString("latin1", ams.valueStart, ams.valueEnd))!;
    const cv = asTags.get("cv");
    if (i === 1 && cv?.toLowerCase() !== "none") return fail(`i=1 cv="${String(cv)}`, last);
    const asC = asTags.get("c")?.toLowerCase().trim();
    if (asC && asC !== "relaxed/relaxed") return fail(`i=${i} invalid as c`, last);
    const a = asTags.get("a");
    if (a === "") return fail(`i=${i} empty a`, last);
    if (a === undefined) return fail(`i=${i} missing a`, last);
    for (const alg of [a, amsTags.get("a")]) {
      const bad = algorithmDefect(alg);
      // mailauth wrote no comment for an algorithm it refused; rsa-sha1 gets one (RFC 8301).
      if (bad !== null)
        return {
          error: `i=${i} ${bad}`,
          comment: bad === "rsa-sha1" ? `i=${i} ${RSA_SHA1_COMMENT}` : null,
          lastInstance: last,
        };
    }
    if (i > 1 && cv?.toLowerCase() !== "pass") return fail(`i=${i} cv=${String(cv)}`, last);
    if (asTags.has("h")) return fail(`i=${i} unexpected as h`, last);
    const h = amsTags.get("h");
    if (
      h
        ?.toLowerCase()
        .split(":")
        .some((n) => n.replace(/[ \t\r\n]/g, "") === "arc-seal")
    )
      return fail(`i=${i} invalid ams h`, last);
    sets.push({ i, aar: s["arc-authentication-results"]!, ams, as: s["arc-seal"]!, asTags });
  }
  return { sets };
}

/** null when `alg` is one ARC allows (mailauth's validateAlgorithm, strict: sha256 only). */
function algorithmDefect(alg: string | undefined): string | null {
  if (!alg || !/^[^-]+-[^-]+$/.test(alg)) return "invalid algorithm format";
  const [sign, hash] = alg.toLowerCase().split("-");
  if (sign !== "rsa" && sign !== "ed25519") return "unknown signing algorithm";
  if (hash !== "sha256") return sign === "rsa" && hash === "sha1" ? "rsa-sha1" : "unknown hashing algorithm";
  return null;
}

/** mailauth's comment for a structural defect: lower case, quotes and parentheses to spaces,
 *  whitespace runs to one space, at most 128 characters. */
function fail(message: string, lastInstance: number | false): ArcChain {
  const comment = message
    .toLowerCase()
    .replace(/["'()]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 128);
  return { error: message, comment, lastInstance };
}

/** What an ARC-Seal signs (RFC 8617 §5.1.1): the fields given, in order, relaxed, each with CRLF;
 *  the last one is the seal itself, its b= value removed and no CRLF after it. */
export function sealHashInput(raws: Buffer[]): Buffer {
  const parts = raws.map((r, k) =>
    k === raws.length - 1
      ? canonFieldBytes(withoutSignatureValue(r), "relaxed", false)
      : canonFieldBytes(r, "relaxed", true),
  );
  return Buffer.concat(parts);
}

/** What the seal of set k signs, for the verifier, which checks every seal (k = n..1): each field
 *  is canonicalized once and shared by the seals that cover it, so a chain of n sets costs one
 *  canonicalization of its fields, not n. Byte for byte sealHashInput(setFields(msg, sets 1..k)). */
export function sealInputs(msg: Buffer, sets: ArcSet[]): (k: number) => Buffer {
  const covered: Buffer[] = []; // AAR, AMS and AS of each set, relaxed, with CRLF
  const ownSeal: Buffer[] = []; // each set's AS without its b= value and CRLF
  for (const s of sets) {
    for (const f of [s.aar, s.ams, s.as])
      covered.push(canonFieldBytes(msg.subarray(f.start, f.valueEnd), "relaxed", true));
    ownSeal.push(
      canonFieldBytes(withoutSignatureValue(msg.subarray(s.as.start, s.as.valueEnd)), "relaxed", false),
    );
  }
  return (k) => Buffer.concat([...covered.slice(0, 3 * k - 1), ownSeal[k - 1]!]);
}

/** The raw fields of sets 1..n in the order an ARC-Seal covers them: AAR, AMS, AS per instance. */
export function setFields(msg: Buffer, sets: ArcSet[]): Buffer[] {
  const out: Buffer[] = [];
  for (const s of sets) for (const f of [s.aar, s.ams, s.as]) out.push(msg.subarray(f.start, f.valueEnd));
  return out;
}
