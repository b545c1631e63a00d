// ARC chain validation (RFC 8617 §5.2) on our canonicalization and node:crypto, giving mailauth's
// arc() result shape and its Authentication-Results item ("arc=pass (i=2 spf=pass dkim=pass
// dkdomain=… dmarc=pass fromdomain=…)"), so the field reads as it did wherever mailauth was right.
//
// Why not mailauth's: its relaxed header canonicalization folds bytes 0x0B, 0x0C and 0xA0 (see
// dkim-canon.ts), so a chain whose ARC-Authentication-Results or signed fields hold raw UTF-8
// "à" or "Р" failed here though it was good; and it parsed the message a second time with its
// stream parser for the chain and the newest ARC-Message-Signature.
//
// Work: one pass over the header for the chain (arc-chain.ts, at most 150 ARC fields looked at);
// one body hash (the newest AMS's); one key lookup and one signature check per ARC-Seal (at most
// 50) and one for the newest AMS. As mailauth (and RFC 8617 §5.2 steps 5–6): every seal is
// checked, newest first, then the newest AMS; older AMSs are not (their "oldest-pass" is optional).
import { formatAuthHeaderRow, parseDkimHeaders } from "mailauth/lib/tools.js";
import { type ArcSet, readArcChain, sealInputs } from "./arc-chain.js";
import { bodyHash, type ParsedHeader } from "./dkim-canon.js";
import {
  checkSignature,
  type DkimStatus,
  type DkimVerifyOptions,
  KEY_ERROR_COMMENT,
  type KeyType,
  lookupKey,
  parseSignature,
  signatureValid,
} from "./dkim-verify.js";

export interface ArcStatus {
  result: "pass" | "fail" | "none";
  comment?: string;
  /** mailauth's: the newest seal said cv=pass or none, so a next hop may still seal. */
  shouldSeal?: boolean;
}

/** mailauth's ARCResult, the fields its DMARC and our callers read. */
export interface ArcResult {
  i: number | false;
  status: ArcStatus;
  /** The "arc=…" Authentication-Results item; absent for none. */
  info?: string;
  /** The newest ARC-Authentication-Results as mailauth parsed it (pass only). */
  authenticationResults?: Record<string, unknown>;
}

export type ArcVerifyOptions = Pick<DkimVerifyOptions, "resolveTxt" | "keys" | "minRsaBits" | "now">;

class ArcFailure extends Error {
  constructor(readonly comment: string | null) {
    super(comment ?? "arc failure");
  }
}

export async function verifyArc(
  msg: Buffer,
  header: ParsedHeader,
  opts: ArcVerifyOptions,
): Promise<ArcResult> {
  const chain = readArcChain(msg, header.fields);
  if ("error" in chain) return failed(chain.lastInstance, chain.comment, false);
  const sets = chain.sets;
  if (sets.length === 0) return { i: 0, status: { result: "none" } };
  const newest = sets[sets.length - 1]!;
  const cv = newest.asTags.get("cv");
  const shouldSeal = cv === "pass" || cv === "none";
  try {
    const sealInput = sealInputs(msg, sets);
    for (let k = sets.length; k >= 1; k--) await checkSeal(sets[k - 1]!, sealInput(k), opts);
    if (!(await amsPasses(msg, header, newest, opts)))
      throw new ArcFailure(`i=${newest.i} no valid signature`);
  } catch (e) {
    if (!(e instanceof ArcFailure)) throw e;
    return failed(newest.i, e.comment, shouldSeal);
  }
  const aar = parseDkimHeaders(msg.subarray(newest.aar.start, newest.aar.valueEnd)).parsed;
  const status: ArcStatus = { result: "pass", comment: passComment(newest.i, aar) };
  return { i: newest.i, status, info: formatAuthHeaderRow("arc", status), authenticationResults: aar };
}

function failed(i: number | false, comment: string | null, shouldSeal: boolean): ArcResult {
  const status: ArcStatus = { result: "fail", shouldSeal };
  if (comment) status.comment = comment;
  return { i, status, info: formatAuthHeaderRow("arc", status) };
}

/** The seal of set `last` over `data`, the sets 1..last.i (RFC 8617 §5.1.1). */
async function checkSeal(last: ArcSet, data: Buffer, opts: ArcVerifyOptions): Promise<void> {
  const d = last.asTags.get("d");
  const s = last.asTags.get("s");
  if (!d || !s) throw new ArcFailure("invalid arc-seal header");
  const name = `${s}._domainkey.${d}`;
  const signAlgo = last.asTags.get("a")!.toLowerCase().split("-")[0] as KeyType;
  const found = await lookupKey(d, s, signAlgo, opts);
  if ("error" in found) {
    // mailauth meant these comments (its arc() has them) but its seal check dropped the lookup's
    // error and wrote a bare "arc=fail"; the reason is more use to whoever reads the field.
    if (found.error === "dns") throw new ArcFailure(null);
    if (found.error === "weak") throw new ArcFailure(`weak key for ${name}`);
    throw new ArcFailure(`${KEY_ERROR_COMMENT[found.error]} for ${name}`);
  }
  let ok = false;
  try {
    ok = signatureValid(signAlgo, data, found.key, (last.asTags.get("b") ?? "").replace(/[ \t\r\n]/g, ""));
  } catch {
    ok = false;
  }
  if (!ok) throw new ArcFailure(`i=${last.i} seal signature validation failed`);
}

/** The newest ARC-Message-Signature, verified as a DKIM signature (RFC 8617 §5.2 step 5). */
async function amsPasses(
  msg: Buffer,
  header: ParsedHeader,
  set: ArcSet,
  opts: ArcVerifyOptions,
): Promise<boolean> {
  const sig = parseSignature(msg, set.ams, "relaxed");
  if (sig?.hashAlgo !== "sha256") return false;
  const body = await bodyHash(msg, header.bodyStart, {
    canon: sig.bodyCanon,
    algo: "sha256",
    limit: sig.limit,
  });
  if (!sig.bh?.equals(body.hash)) return false;
  const status: DkimStatus = { result: "neutral" };
  const nowSec = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
  await checkSignature(msg, header, sig, status, nowSec, opts);
  return status.result === "pass";
}

interface AarEntry {
  value?: string;
  header?: { i?: string; from?: string };
}

/** mailauth's pass comment: the instance and what the newest ARC-Authentication-Results says. */
function passComment(i: number, aar: Record<string, unknown>): string {
  const spf = aar.spf as AarEntry | undefined;
  const dmarc = aar.dmarc as AarEntry | undefined;
  const dkim = aar.dkim as AarEntry[] | undefined;
  const parts: string[] = [`i=${i}`];
  if (spf) parts.push(`spf=${String(spf.value)}`);
  for (const e of dkim ?? []) {
    parts.push(`dkim=${String(e.value)}`);
    if (e.header?.i) parts.push(`dkdomain=${e.header.i.replace(/^@/, "")}`);
  }
  if (dmarc) {
    parts.push(`dmarc=${String(dmarc.value)}`);
    if (dmarc.header?.from) parts.push(`fromdomain=${dmarc.header.from}`);
  }
  return parts.join(" ");
}
