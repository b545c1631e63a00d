// The [spam] domains key: "example.com:junkScore=6,rejectScore=0,fileIntoJunk=false", parsed
// and checked at load (config.ts's validate hook, so it imports nothing of ours: a config section
// stays a leaf).

export interface Thresholds {
  junkScore: number;
  /** 0: never refuse. */
  rejectScore: number;
  fileIntoJunk: boolean;
}

export type DomainPolicy = Partial<Thresholds>;

const KEYS = new Set(["junkScore", "rejectScore", "fileIntoJunk"]);

/** "example.com:junkScore=6,rejectScore=0" → ["example.com", {junkScore: 6, rejectScore: 0}];
 *  throws an Error naming the part that is wrong. */
export function parseDomainPolicy(entry: string): [string, DomainPolicy] {
  const colon = entry.indexOf(":");
  if (colon <= 0) throw new Error(`"${entry}": expected "domain:key=value,…"`);
  const domain = entry.slice(0, colon).trim().toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(domain)) throw new Error(`"${entry}": not a domain name: ${domain}`);
  const out: DomainPolicy = {};
  for (const pair of entry.slice(colon + 1).split(",")) {
    const eq = pair.indexOf("=");
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = eq < 0 ? "" : pair.slice(eq + 1).trim();
    if (!KEYS.has(key))
      throw new Error(`"${entry}": unknown key "${key}" (junkScore, rejectScore, fileIntoJunk)`);
    if (key === "fileIntoJunk") {
      if (value !== "true" && value !== "false")
        throw new Error(`"${entry}": fileIntoJunk must be true or false`);
      out.fileIntoJunk = value === "true";
    } else {
      if (!/^\d{1,4}$/.test(value)) throw new Error(`"${entry}": ${key} must be an integer 0..9999`);
      const n = Number(value);
      if (key === "junkScore") {
        if (n < 1) throw new Error(`"${entry}": junkScore must be at least 1`);
        out.junkScore = n;
      } else out.rejectScore = n;
    }
  }
  return [domain, out];
}

/** For the config's validate hook: a message naming the bad entry, or null. */
export function checkDomainPolicies(list: string[]): string | null {
  for (const e of list) {
    try {
      parseDomainPolicy(e);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return null;
}

export function parseDomainPolicies(list: readonly string[]): Map<string, DomainPolicy> {
  return new Map(list.map(parseDomainPolicy));
}
