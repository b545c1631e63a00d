// Large sums of money named in the text: "$25,000", "US$ 10.5 million", "15,000,000 dollars",
// "£2000" — what advance-fee fraud, lottery and get-rich mail is made of, whatever its words
// (SpamAssassin's LOTS_OF_MONEY, whose idea this follows: a currency and at least 10,000 of it,
// or millions).
// Mild, because invoices, quotes and business mail name sums too; it only tips a message the
// classifier is unsure about.
// Why this one: SpamAssassin run on the 2002 training groups (bench/spam/sa-rules.ts, rule names
// over spamd's SYMBOLS) fired LOTS_OF_MONEY on 107 of the 500 spam and 84 of the 2,750 ham, and
// on 16 of the spam under the filter's out-of-fold 0.1 % point; added beside the filter's score
// with its weight fitted by logistic regression on the other folds (bench/spam/sa-combo.ts, 3, 5
// and 10 blocked folds), together with the classifier's s 0.1 (classify.ts), recall at 0.1 % /
// 1 % ham false positives rose at every fold count (docs/ARCHITECTURE.md "Spam classifier").
// Score 1.1: the fits gave 1.2, 1.2 and 0.8 points.
// One linear pass over the text with no regular expression: each digit run is read once.
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

export const LOTS_OF_MONEY_SCORE = 1.1;

/** Characters of text looked at (the view holds at most its maxTextBytes anyway). */
const MAX_TEXT = 300_000;
/** Integer digits from which an amount is "large" (10,000 and up: prices of things people buy,
 *  "$1,499", "$2,213 a year", fill ham; SpamAssassin's patterns also start at five digits). */
const LARGE_DIGITS = 5;

/** Currency signs written before an amount. */
const SIGNS = new Set(["$", "£", "€", "¥"]);
/** Currency codes and words written right before an amount ("usd 5,000", "us$ 2000"). */
const CODES_BEFORE = ["us$", "usd", "gbp", "eur", "euro", "euros"];
/** Words after an amount that make it money ("5000 dollars", "12,500 usd"). */
const CURRENCY_AFTER = new Set([
  "dollars",
  "dollar",
  "usd",
  "pounds",
  "euros",
  "euro",
  "gbp",
  "eur",
  "bucks",
]);
/** Words after an amount that multiply it ("$5 million", "us$ 10m"). Not billions: those are
 *  news (budgets, debts, acquisitions), not the sum a message offers its reader. */
const MULTIPLIERS = new Set(["million", "millions", "thousand", "m", "mil", "mln"]);

export const moneyRules: RuleFamily = {
  name: "money",
  outbound: false,
  run({ view }) {
    const hit = largeSum(view.subject.slice(0, 1000)) ?? largeSum(view.text.slice(0, MAX_TEXT));
    if (hit === null) return [];
    return [
      {
        name: "LOTS_OF_MONEY",
        score: LOTS_OF_MONEY_SCORE,
        detail: `names a large sum: ${hit}`,
      } satisfies Signal,
    ];
  },
};

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** The character code at k, -1 past the end (compared as charCodeAt's NaN was: false alike):
 *  one bounds check, so no read past the end deoptimizes the inlined scan (each new site did). */
const code = (t: string, k: number): number => (k < t.length ? t.charCodeAt(k) : -1);

/** The first large sum of money in `text` (as written, at most 40 characters), or null. */
export function largeSum(text: string): string | null {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = code(text, i);
    // A number starts at a digit not glued to a word or another number ("a1000", "1.2.1000").
    if (!isDigit(c) || (i > 0 && gluedBefore(code(text, i - 1)))) {
      i++;
      continue;
    }
    const start = i;
    // Digits, with thousands separators ("," "." or a space before exactly three digits).
    let intDigits = 0;
    let j = i;
    while (j < n && isDigit(code(text, j))) {
      j++;
      intDigits++;
    }
    for (;;) {
      const sep = code(text, j);
      if (
        (sep === 44 || sep === 46 || sep === 32) &&
        isDigit(code(text, j + 1)) &&
        isDigit(code(text, j + 2)) &&
        isDigit(code(text, j + 3)) &&
        !isDigit(code(text, j + 4))
      ) {
        j += 4;
        intDigits += 3;
      } else break;
    }
    // A decimal part ("10.5 million", "$1,250.00").
    if ((code(text, j) === 46 || code(text, j) === 44) && isDigit(code(text, j + 1))) {
      j++;
      while (j < n && j - start < 40 && isDigit(code(text, j))) j++;
    }
    i = j;
    // Digits running on past what was read (a long number, a version string): not an amount.
    if (j < n && (isDigit(code(text, j)) || isLetter(code(text, j)))) {
      const w = wordAt(text, j);
      if (!MULTIPLIERS.has(w)) continue;
    }
    // Small and not followed by a word (most numbers in mail: dates, times, prices): nothing to
    // look up around it.
    const large = intDigits >= LARGE_DIGITS;
    if (!large && !isLetter(code(text, code(text, j) === 32 ? j + 1 : j))) continue;
    const before = currencyBefore(text, start);
    const after1 = nextWord(text, j);
    const multiplied = MULTIPLIERS.has(after1.word);
    const after2 = multiplied ? nextWord(text, after1.end).word : after1.word;
    const currencyAfter = CURRENCY_AFTER.has(after2);
    if ((before || currencyAfter) && (large || multiplied))
      return text.slice(Math.max(0, start - 4), Math.min(n, start + 36)).trim();
  }
  return null;
}

/** A character that makes a digit part of a word ("a1000", "x_2000"), not an amount. */
function gluedBefore(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95;
}

/** A currency sign or code right before `at` (one optional space between). */
function currencyBefore(text: string, at: number): boolean {
  let k = at;
  if (k > 0 && code(text, k - 1) === 32) k--;
  if (k > 0 && SIGNS.has(text[k - 1]!)) return true;
  // A code: the letters (and "$") before k.
  let b = k;
  while (b > 0 && k - b < 5 && (isLetter(code(text, b - 1)) || code(text, b - 1) === 36)) b--;
  if (b === k || (b > 0 && isLetter(code(text, b - 1)))) return false;
  return CODES_BEFORE.includes(text.slice(b, k).toLowerCase());
}

/** The lower-cased letters at `at` (up to 12). */
function wordAt(text: string, at: number): string {
  let e = at;
  while (e < text.length && e - at < 12 && isLetter(code(text, e))) e++;
  return text.slice(at, e).toLowerCase();
}

/** The word after `at`, past at most one space (and a closing bracket), lower-cased. */
function nextWord(text: string, at: number): { word: string; end: number } {
  let k = at;
  if (code(text, k) === 41 || code(text, k) === 93) k++;
  if (code(text, k) === 32) k++;
  const word = wordAt(text, k);
  return { word, end: k + word.length };
}
