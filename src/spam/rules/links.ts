// Links: text that shows one address and points to another (<a href="http://evil.example">
// https://bank.example</a>, SpamAssassin's phishing-style mismatch), links to bare IP addresses
// (no domain to answer for them) and URL shorteners (hide the target from URI lists). Each fires
// once per message. The mismatch and shortener rules fired on too few of the 2002 corpus
// messages to fit (10 and 5) and keep their hand-set scores.
import { isIP } from "node:net";
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

const SHORTENERS = new Set(
  "bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at tiny.cc t.ly rb.gy s.id v.gd bl.ink".split(
    " ",
  ),
);

/** The host a link's visible text shows, when it looks like a URL or a host name; else null. */
export function shownHost(text: string): string | null {
  let t = text.trim().toLowerCase();
  if (t.length === 0 || t.length > 300 || t.includes(" ")) return null;
  const scheme = t.indexOf("://");
  if (scheme >= 0) t = t.slice(scheme + 3);
  else if (!t.startsWith("www.")) return null;
  let end = 0;
  while (end < t.length && !"/?#:".includes(t[end]!)) end++;
  const host = t.slice(0, end);
  const at = host.lastIndexOf("@");
  const h = at >= 0 ? host.slice(at + 1) : host;
  return h.includes(".") ? h : null;
}

/** Same site: equal, or one a subdomain of the other (www.bank.example ~ bank.example). */
function related(a: string, b: string): boolean {
  const strip = (h: string) => (h.startsWith("www.") ? h.slice(4) : h);
  const x = strip(a);
  const y = strip(b);
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

export const linkRules: RuleFamily = {
  name: "links",
  outbound: true,
  run({ view }) {
    const out: Signal[] = [];
    let mismatch: string | null = null;
    let ip: string | null = null;
    let shortener: string | null = null;
    for (const l of view.links) {
      if (l.host === "") continue;
      const shown = l.text === "" ? null : shownHost(l.text);
      if (mismatch === null && shown !== null && !related(shown, l.host)) mismatch = `${shown} → ${l.host}`;
      const bare = l.host.startsWith("[") ? l.host.slice(1, -1) : l.host;
      if (ip === null && isIP(bare) !== 0) ip = l.host;
      if (shortener === null && SHORTENERS.has(l.host)) shortener = l.host;
    }
    if (mismatch !== null)
      out.push({
        name: "LINK_TEXT_MISMATCH",
        score: 2.0,
        detail: `link text shows another host: ${mismatch}`.slice(0, 200),
      });
    // Fitted beside the classifier (bench/spam/tune.ts --combine: 0.22 log-odds, 55 spam, 5 ham
    // of the 2002 corpus groups): low because the classifier's url:ip token already counts it.
    if (ip !== null) out.push({ name: "LINK_BARE_IP", score: 0.3, detail: `link to an IP address ${ip}` });
    if (shortener !== null)
      out.push({ name: "LINK_SHORTENER", score: 0.5, detail: `link through ${shortener}` });
    return out;
  },
};
