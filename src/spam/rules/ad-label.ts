// A subject that labels the message an unsolicited advertisement. Several laws of the spam era
// told senders of unsolicited commercial mail to say so at the start of the subject, so filters
// could sort it: "ADV:" (US state laws such as California's Business and Professions Code
// §17538.4, "ADV:ADLT" for adult content), "未承諾広告※" (Japan's 2002 Act on the Regulation of
// the Transmission of Specified Electronic Mail) and "(광고)" (Korea's 2001 Information and
// Communications Network Act). Mail a person asked for carries no such label, so the sender's own
// declaration weighs as much as junkScore (5): alone it files the message into Junk, and only
// hammy signals (an aligned DKIM pass, BAYES_00) can hold it back.
// Why (fifth round, docs/ARCHITECTURE.md "Spam classifier"): on the 2002 training groups it fires
// on 23 of the 500 spam and none of the 2,750 ham; three Japanese spam of one run scored under
// the filter's out-of-fold 1 % point (the classifier learnt Japanese text from the hard ham's
// Japanese business mail). Added at 2.5–6 points the out-of-fold recall at 0.1 % and 1 % ham
// false positives rose or stayed at 3, 5 and 10 blocked folds, over all ham and the easy ham
// alone; 5 is the principled value inside that plateau, not the best-scoring one.
// A subject sent as raw 8-bit bytes in a legacy charset (no RFC 2047 encoding) reaches the view
// as latin1 (mime/headers.ts: "UTF-8 when valid, else latin1"), so the label is also looked for
// in those bytes read as EUC-KR and Shift_JIS. Linear: a bounded prefix, fixed patterns.
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

export const SUBJ_AD_LABEL_SCORE = 5;

/** Characters of the subject looked at: the labels stand at its start. */
const PREFIX = 40;
/** "ADV:", "ADV :", "[ADV]", "(ADV)", any case; not "Advice:" or "ad:". */
const ADV = /^\s*(?:[[(]\s*)?adv\s*[:\])]/i;
/** The Korean label, in parentheses or brackets, spaces allowed inside. */
const KOREAN = /[[(]\s*광\s*고\s*[)\]]/;
const JAPANESE = "未承諾広告";

/** The decoders for raw 8-bit subjects, made once (WHATWG: "euc-kr" is Windows-949). */
const LEGACY = ["euc-kr", "shift_jis"].map((label) => new TextDecoder(label));

function labelled(text: string): boolean {
  return ADV.test(text) || KOREAN.test(text) || text.includes(JAPANESE);
}

/** The subject's prefix as its raw bytes would read in a legacy CJK charset, when it holds
 *  8-bit characters that only latin1 (the view's fallback) can have come from. */
function legacyReadings(prefix: string): string[] {
  let high = false;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c > 0xff) return [];
    if (c >= 0x80) high = true;
  }
  if (!high) return [];
  const bytes = Buffer.from(prefix, "latin1");
  return LEGACY.map((d) => d.decode(bytes));
}

export const adLabelRules: RuleFamily = {
  name: "ad-label",
  // Inbound only: one of our users who labels their advertising as those laws ask is doing what
  // they ask; the outbound families look for compromised accounts, which do not label.
  outbound: false,
  run({ view }) {
    const prefix = view.subject.slice(0, PREFIX);
    if (!labelled(prefix) && !legacyReadings(prefix).some(labelled)) return [];
    return [
      {
        name: "SUBJ_AD_LABEL",
        score: SUBJ_AD_LABEL_SCORE,
        detail: "the subject labels the message an unsolicited advertisement",
      } satisfies Signal,
    ];
  },
};
