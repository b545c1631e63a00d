// Header anomalies: fields a real mail program writes and bulk spamware forgets or fakes.
// Names after SpamAssassin's (MISSING_DATE, MISSING_MID, DATE_IN_FUTURE_*, DATE_IN_PAST_96_XX,
// SUBJ_ALL_CAPS); each mild, because careless legitimate software trips them too. RFC 5322 §3.6
// says which fields a message must have (Date, From) and should have (Message-ID).
// Scores: where a rule fired often enough in the 2002 corpus groups to measure (≥ 40 of 3,250
// messages), the weight fitted by logistic regression beside the classifier's log-odds (bench/
// spam/tune.ts --combine, rule weights ≥ 0), in points (1.29 per fitted log-odds unit, the scale
// of rules/bayes.ts); rarer rules keep SpamAssassin's scores. Measured and removed: MISSING_TO
// (no To or Cc: 135 ham, 0 spam — list digests and Bcc mail) and a bare-IP Message-ID domain
// (66 ham, 4 spam): both fitted to 0, they only pushed ham up.
import { parseAddressList } from "../../mime/address.js";
import type { Signal } from "../types.js";
import { header, type RuleFamily } from "./types.js";

const HOUR = 3_600_000;
/** Longest field value looked at (the view's values are unbounded; these checks need little). */
const MAX_VALUE = 4096;

/** Fields missing or malformed: how the message was made (inbound only; our users' clients write
 *  them, and submission adds what is missing). */
export const headerRules: RuleFamily = {
  name: "headers",
  outbound: false,
  run({ view, now }) {
    const out: Signal[] = [];
    const date = header(view, "date");
    if (date === null)
      out.push({ name: "MISSING_DATE", score: 1.4, detail: "no Date field (RFC 5322 §3.6.1)" });
    else {
      const t = date.length > 200 ? Number.NaN : Date.parse(date);
      if (!Number.isFinite(t)) out.push({ name: "INVALID_DATE", score: 1.0, detail: "Date does not parse" });
      // Fitted: 0.84 log-odds (14 spam, 2 ham of the corpus: rare, but one-sided).
      else if (t - now.getTime() > 12 * HOUR)
        out.push({ name: "DATE_IN_FUTURE", score: 1.1, detail: "Date more than 12 hours ahead" });
      // Fitted: 0.35 log-odds (32 spam, 59 ham: old mail resent and lists' delays trip it too).
      else if (now.getTime() - t > 96 * HOUR)
        out.push({ name: "DATE_IN_PAST", score: 0.45, detail: "Date more than 96 hours old" });
    }
    const mid = header(view, "message-id");
    if (mid === null) out.push({ name: "MISSING_MID", score: 0.5, detail: "no Message-ID field" });
    // RFC 5322 §3.6.4: msg-id is "<" id-left "@" id-right ">". Mail programs and MTAs write that
    // form; spamware writes dates, bare numbers or an address without brackets. Fifth round
    // (docs/ARCHITECTURE.md "Spam classifier"): 6 of the 500 training spam, 1 of the 2,750 ham;
    // at 1 point beside SUBJ_AD_LABEL, out-of-fold recall rose by 0–0.4 and fell nowhere.
    else if (!validMsgId(mid))
      out.push({
        name: "INVALID_MSGID",
        score: 1.0,
        detail: "Message-ID is not <id@domain> (RFC 5322 §3.6.4)",
      });
    if (header(view, "from") === null)
      out.push({ name: "MISSING_FROM", score: 1.0, detail: "no From field" });
    if (header(view, "subject") === null)
      out.push({ name: "MISSING_SUBJECT", score: 0.5, detail: "no Subject field" });
    return out;
  },
};

/** One "<left@right>" (a trailing comment allowed), without spaces, brackets or a second "@"
 *  inside: RFC 5322's msg-id, leniently (obsolete quoted forms are rare enough to pay 1 point). */
const MSG_ID = /^<[^<>@\s]+@[^<>@\s]+>(?:\s*\([^()]*\))?$/;

function validMsgId(value: string): boolean {
  return value.length <= MAX_VALUE && MSG_ID.test(value.trim());
}

/** The part of the header rules that judges what the author wrote: also for outbound mail. */
export const writtenRules: RuleFamily = {
  name: "written",
  outbound: true,
  run({ view }) {
    const out: Signal[] = [];
    const from = header(view, "from");
    if (from !== null) {
      const [first] = parseAddressList(from.slice(0, MAX_VALUE));
      const address = first?.mailbox && first.host ? `${first.mailbox}@${first.host}`.toLowerCase() : "";
      const shown = first?.name ? addressesIn(first.name) : [];
      if (address !== "" && shown.some((a) => a !== address))
        out.push({
          name: "FROM_NAME_OTHER_ADDR",
          score: 1.5,
          detail: "From display name shows another address",
        });
    }
    const to = header(view, "to");
    if (to !== null && parseAddressList(to.slice(0, 64 * 1024)).filter((a) => a.host).length >= 20)
      out.push({ name: "TO_MANY", score: 1.0, detail: "20 or more addresses in To" });
    const subject = view.subject.slice(0, 1000);
    // Fitted: 0.56 log-odds (45 spam, 2 ham).
    if (allCaps(subject)) out.push({ name: "SUBJ_ALL_CAPS", score: 0.7, detail: "subject all in capitals" });
    if (punctuation(subject) >= 4)
      out.push({ name: "SUBJ_EXCESS_PUNCT", score: 0.8, detail: "subject full of !, ? or currency signs" });
    return out;
  },
};

const ADDRESS_CHAR = /[A-Za-z0-9._%+-]/;

/** Addresses written inside a display name ("PayPal service@paypal.com"), lower-cased. */
export function addressesIn(name: string): string[] {
  const s = name.slice(0, 256);
  const out: string[] = [];
  for (let at = s.indexOf("@"); at > 0 && out.length < 4; at = s.indexOf("@", at + 1)) {
    let a = at;
    while (a > 0 && ADDRESS_CHAR.test(s[a - 1]!)) a--;
    let b = at + 1;
    while (b < s.length && ADDRESS_CHAR.test(s[b]!)) b++;
    const local = s.slice(a, at);
    while (b > at + 1 && s[b - 1] === ".") b--;
    const domain = s.slice(at + 1, b);
    if (local !== "" && domain.includes(".")) out.push(`${local}@${domain}`.toLowerCase());
  }
  return out;
}

/** At least 10 letters and none lower-case. */
function allCaps(s: string): boolean {
  let letters = 0;
  for (const ch of s) {
    if (ch.toLowerCase() !== ch) letters++;
    else if (ch.toUpperCase() !== ch) return false;
  }
  return letters >= 10;
}

function punctuation(s: string): number {
  let n = 0;
  for (const ch of s) if ("!?$€£¥".includes(ch)) n++;
  return n;
}
