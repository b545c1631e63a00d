// An in-memory DnsResolver for unit tests: a zone as a plain object, answering like Node's
// resolver (ENOTFOUND for an unknown name, ENODATA for a known name without the type).
import type { DnsResolver, MxRecord } from "../dns/types.js";

export interface FakeZone {
  [name: string]: {
    A?: string[];
    AAAA?: string[];
    MX?: MxRecord[];
    TXT?: string[][];
    CNAME?: string[];
    SRV?: { name: string; port: number; priority: number; weight: number }[];
    PTR?: string[];
  };
}

export interface FakeOptions {
  /** Every query fails with this code (e.g. "ETIMEOUT"). */
  failWith?: string;
  /** Queries for these names fail with the given code. */
  failNames?: Record<string, string>;
  delayMs?: number;
}

export function fakeResolver(
  zone: FakeZone,
  opts: FakeOptions = {},
): DnsResolver & {
  queries: string[];
} {
  const queries: string[] = [];
  const get = async (name: string, type: string): Promise<unknown> => {
    queries.push(`${type} ${name}`);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const code = opts.failWith ?? opts.failNames?.[name.toLowerCase()];
    if (code) throw Object.assign(new Error(`query ${code} ${name}`), { code });
    const n = zone[name.toLowerCase().replace(/\.$/, "")];
    if (!n) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    const v = (n as Record<string, unknown>)[type];
    if (!v) throw Object.assign(new Error(`query ENODATA ${name}`), { code: "ENODATA" });
    return v;
  };
  return {
    queries,
    resolveMx: (n) => get(n, "MX") as Promise<MxRecord[]>,
    resolve4: (n) => get(n, "A") as Promise<string[]>,
    resolve6: (n) => get(n, "AAAA") as Promise<string[]>,
    resolveTxt: (n) => get(n, "TXT") as Promise<string[][]>,
    resolveCname: (n) => get(n, "CNAME") as Promise<string[]>,
    resolveSrv: (n) =>
      get(n, "SRV") as Promise<{ name: string; port: number; priority: number; weight: number }[]>,
    resolvePtr: (n) => get(n, "PTR") as Promise<string[]>,
    resolve: (n, t) => get(n, t),
  };
}
