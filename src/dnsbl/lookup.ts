// One question to one DNS list: A records for the query name, classified against the zone's
// spec, and on a listing its TXT record for the reason (RFC 5782 §2.1: the TXT gives a reason
// text, often a URL). NXDOMAIN / NODATA is "not listed"; a timeout, a SERVFAIL, an answer outside
// 127.0.0.0/8 or a 127.255.255.x "query refused" code is an error, which never counts as a listing.
import { type DnsResolver, isNoData } from "../dns/types.js";
import { classifyAnswer, matches, type ZoneSpec } from "./zone-spec.js";

export type ListAnswer =
  /** subject: what was listed, the client's address or a domain (for the refusal text). */
  | { kind: "listed"; spec: ZoneSpec; subject: string; codes: string[]; reason: string | null }
  | { kind: "not-listed"; spec: ZoneSpec }
  | { kind: "error"; spec: ZoneSpec; detail: string };

/** Resolves by `deadline` (epoch ms) at the latest; never rejects. */
export async function askList(
  resolver: DnsResolver,
  spec: ZoneSpec,
  q: { name: string; subject: string },
  deadline: number,
): Promise<ListAnswer> {
  const name = q.name;
  let addrs: string[];
  try {
    addrs = await beforeDeadline(resolver.resolve4(name), deadline);
  } catch (e) {
    if (isNoData(e)) return { kind: "not-listed", spec };
    return { kind: "error", spec, detail: (e as Error)?.message ?? String(e) };
  }
  const bad = addrs.find((a) => classifyAnswer(a) !== "listing");
  if (bad) {
    const why =
      classifyAnswer(bad) === "refused" ? "query refused by the list" : "answer outside 127.0.0.0/8";
    return { kind: "error", spec, detail: `${why} (${bad})` };
  }
  const codes = addrs.filter((a) => matches(spec, a));
  if (codes.length === 0) return { kind: "not-listed", spec };
  let reason: string | null = null;
  try {
    const txt = await beforeDeadline(resolver.resolveTxt(name), deadline);
    reason = txt[0]?.join("").slice(0, 200) ?? null;
  } catch {
    // The reason is optional: the listing stands without it.
  }
  return { kind: "listed", spec, subject: q.subject, codes, reason };
}

class DeadlineError extends Error {
  override name = "DeadlineError";
  constructor() {
    super("no answer in time (dnsbl.timeoutMs)");
  }
}

function beforeDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  const ms = deadline - Date.now();
  if (ms <= 0) return Promise.reject(new DeadlineError());
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export { beforeDeadline };
