// CSS from a message → CSS that loads nothing unless the reader allows remote content.
//
// A pattern over the raw text cannot do this: CSS escapes and comments hide a function's name
// from it (`\75 rl(`, `@\69mport`, `u\72l(` are url( and @import to the browser). So the text is
// tokenized as CSS Syntax Level 3 §4 does it (comments, strings, escapes, identifiers, functions,
// at-keywords, url tokens), each name is judged decoded, and the CSS is written back in a canonical
// form: comments become a space, names and strings are re-escaped minimally, and `<` never appears
// literally (the result goes inside a <style> element, where `</style` would end it). Anything
// else passes one character at a time, untouched. The output contains no comment and no escape
// that hides a name, so what the browser reads is what was judged here; tokenizing the output
// again gives the same output (the sanitizer's idempotence relies on it).
//
// One pass over the input, no regular expression over it: linear time on any input.

export interface CleanedCss {
  css: string;
  /** Fetching constructs neutralized because remote content is not allowed. */
  blocked: number;
}

/** Functions whose argument is fetched: blocked unless remote content is allowed (then the CSP
 *  still limits them to https: images). Vendor prefixes are stripped first (-webkit-image-set). */
const REMOTE_FUNCTIONS = new Set(["url", "src", "image", "image-set", "cross-fade"]);
/** Never useful in mail, and known as script or data channels in some engines. */
const FORBIDDEN_FUNCTIONS = new Set(["expression", "attr", "element"]);
const NEUTRALIZED = "invalid-removed";

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isNewline = (c: number) => c === 10 || c === 13 || c === 12;
const isWhitespace = (c: number) => c === 32 || c === 9 || isNewline(c);
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isName = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 45;
const isStringSpecial = (c: number, quote: number) => c === quote || c === 92 || c === 0 || isNewline(c);
/** Characters that start no token of interest here (not / " ' < @ # \\ - NUL or a name start). */
const isPlain = (c: number) =>
  c !== 47 &&
  c !== 34 &&
  c !== 39 &&
  c !== 60 &&
  c !== 64 &&
  c !== 35 &&
  c !== 92 &&
  c !== 45 &&
  c !== 0 &&
  !isNameStart(c);

export function cleanCss(input: string, allowRemote: boolean): CleanedCss {
  const s = input;
  const n = s.length;
  const out: string[] = [];
  let blocked = 0;
  let i = 0;
  const code = (k: number) => (k < n ? s.charCodeAt(k) : -1);
  /** §4.3.8: a backslash not followed by a newline (or the end) starts an escape. */
  const validEscape = (k: number) => code(k) === 92 && k + 1 < n && !isNewline(code(k + 1));
  /** §4.3.9: would the text at k start an identifier? */
  const startsIdent = (k: number) => {
    const c = code(k);
    if (c === 45) return isNameStart(code(k + 1)) || code(k + 1) === 45 || validEscape(k + 1);
    return isNameStart(c) || validEscape(k);
  };
  /** §4.3.7: consume the escape whose backslash is at i; returns the code point's text. */
  const consumeEscape = (): string => {
    i++; // the backslash
    const c = code(i);
    if (isHex(c)) {
      let j = i;
      while (j < n && j - i < 6 && isHex(code(j))) j++;
      const v = Number.parseInt(s.slice(i, j), 16);
      i = j;
      if (isWhitespace(code(i))) i++;
      return v === 0 || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff ? "\ufffd" : String.fromCodePoint(v);
    }
    if (c === 0) {
      i++;
      return "\ufffd";
    }
    const cp = s.codePointAt(i) ?? 0xfffd;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    return ch;
  };
  /** §4.3.11: consume a name (identifier characters and escapes), decoded. */
  const consumeName = (): string => {
    // Parts joined once: a string grown piece by piece costs far more in V8.
    const name: string[] = [];
    while (i < n) {
      const c = code(i);
      if (isName(c)) {
        let j = i + 1;
        while (j < n && isName(code(j))) j++;
        name.push(s.slice(i, j));
        i = j;
      } else if (c === 0) {
        name.push("\ufffd");
        i++;
      } else if (validEscape(i)) name.push(consumeEscape());
      else break;
    }
    return name.join("");
  };

  // Text that comes out as it went in is copied in one slice at the next change (or the end): few
  // parts, whatever the input.
  let copied = 0;
  const emit = (start: number, text: string) => {
    if (text.length === i - start && s.startsWith(text, start)) return;
    if (copied < start) out.push(s.slice(copied, start));
    out.push(text);
    copied = i;
  };
  while (i < n) {
    const c = code(i);
    const start = i;
    if (c === 47 && code(i + 1) === 42) {
      // A comment separates tokens like whitespace (§4.3.2); an unterminated one runs to the end.
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      emit(start, " ");
    } else if (c === 34 || c === 39) {
      emit(start, serializeString(consumeString(c)));
    } else if (c === 60 && s.startsWith("<!--", i)) {
      // CDO, ignored by the CSS parser (§5.4.1): dropped so that no `<` remains.
      i += 4;
      emit(start, " ");
    } else if (c === 64 && startsIdent(i + 1)) {
      i++;
      const name = consumeName();
      if (name.toLowerCase() === "import") {
        // Stylesheets never load: the frame's CSP has no style source but inline.
        if (!allowRemote) blocked++;
        emit(start, `@${NEUTRALIZED}`);
      } else emit(start, `@${serializeName(name)}`);
    } else if (c === 35 && (isName(code(i + 1)) || validEscape(i + 1))) {
      i++;
      emit(start, `#${serializeHashName(consumeName())}`);
    } else if (startsIdent(i)) {
      const name = consumeName();
      if (code(i) !== 40) {
        emit(start, serializeName(name));
        continue;
      }
      i++; // "("
      const fn = name.toLowerCase().replace(/^-[a-z]+-/, "");
      const isUrl = name.toLowerCase() === "url";
      if (isUrl && !quoteFollows()) {
        // §4.3.6: an unquoted url( … ) is one token; its text is the address.
        const url = consumeUrl();
        if (allowRemote) emit(start, `url(${serializeString(url)})`);
        else {
          blocked++;
          emit(start, `${NEUTRALIZED}()`);
        }
      } else if (FORBIDDEN_FUNCTIONS.has(fn) || (!allowRemote && REMOTE_FUNCTIONS.has(fn))) {
        if (!FORBIDDEN_FUNCTIONS.has(fn)) blocked++;
        emit(start, `${NEUTRALIZED}(`);
      } else emit(start, `${serializeName(name)}(`);
    } else if (c === 60) {
      // A "<" (which could end the <style> element) becomes a space, not an escape: "\3c "
      // would start a name and merge with a name after it ("<\-" gave "\3c \-", then
      // "\3c -": not idempotent); nor nothing, which could join "ur<l(" into "url(". In CSS a
      // "<" delim only ever makes its declaration invalid, as the space keeps it.
      i++;
      emit(start, " ");
    } else if (c === 0) {
      i++;
      emit(start, "\ufffd");
    } else {
      // A character no other branch wanted, and the run of plain ones after it.
      i++;
      while (i < n && isPlain(code(i))) i++;
    }
  }
  if (copied < n) out.push(s.slice(copied));
  return { css: out.join(""), blocked };

  /** After `url(`: is the argument a string (then url( is an ordinary function)? */
  function quoteFollows(): boolean {
    let k = i;
    while (isWhitespace(code(k))) k++;
    return code(k) === 34 || code(k) === 39;
  }

  /** §4.3.6 consume a url token (and §4.3.14 the remnants of a bad one): up to `)` or the end. */
  function consumeUrl(): string {
    const url: string[] = [];
    while (i < n) {
      const c = code(i);
      if (c === 41) {
        i++;
        break;
      }
      if (validEscape(i)) url.push(consumeEscape());
      else {
        let j = i + 1;
        while (j < n && code(j) !== 41 && code(j) !== 92) j++;
        url.push(s.slice(i, j));
        i = j;
      }
    }
    return url.join("").trim();
  }

  /** §4.3.5 consume a string token opened by `quote` at i; decoded. A newline ends it early
   *  (a bad string to the browser; written back as a closed string, which loads nothing). */
  function consumeString(quote: number): string {
    i++;
    const v: string[] = [];
    while (i < n) {
      const c = code(i);
      if (c === quote) {
        i++;
        break;
      }
      if (isNewline(c)) break;
      if (c === 92) {
        if (i + 1 >= n) {
          i++;
          break;
        }
        if (isNewline(code(i + 1))) {
          i += 2; // an escaped newline continues the string
          continue;
        }
        v.push(consumeEscape());
      } else if (c === 0) {
        v.push("\ufffd");
        i++;
      } else {
        let j = i + 1;
        while (j < n && !isStringSpecial(code(j), quote)) j++;
        v.push(s.slice(i, j));
        i = j;
      }
    }
    return v.join("");
  }
}

/** A string token that reads back as the same value; `<` escaped (no `</style`). */
function serializeString(v: string): string {
  return `"${escapeRuns(
    v,
    0,
    (c) => c === 34 || c === 92,
    (c) => c < 32 || c === 127 || c === 60,
  )}"`;
}

/**
 * v with characters escaped: `backslashed` ones as `\c`, `hexed` ones as `\hex `, the others as
 * they are, copied in runs (a string grown one character at a time costs far more in V8). The
 * first `hexFrom` characters are hexed whatever they are.
 */
function escapeRuns(
  v: string,
  hexFrom: number,
  backslashed: (c: number) => boolean,
  hexed: (c: number) => boolean,
): string {
  const parts: string[] = [];
  let run = 0;
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    const hex = k < hexFrom || hexed(c);
    if (!hex && !backslashed(c)) continue;
    if (run < k) parts.push(v.slice(run, k));
    if (hex) {
      const cp = v.codePointAt(k) ?? c;
      parts.push(`\\${cp.toString(16)} `);
      if (cp > 0xffff) k++;
    } else parts.push(`\\${v[k]}`);
    run = k + 1;
  }
  if (run < v.length) parts.push(v.slice(run));
  return parts.join("");
}

/** Name characters as they are, anything else as a hex escape (CSSOM "serialize an identifier"). */
function escapeNameChars(name: string, hexFrom: number): string {
  return escapeRuns(
    name,
    hexFrom,
    () => false,
    (c) => !isName(c) || c === 0,
  );
}

/** An identifier that reads back as one: a leading digit (or `-digit`, or a lone `-`) escaped. */
function serializeName(name: string): string {
  const first = name.charCodeAt(0);
  const second = name.charCodeAt(1);
  if (first >= 48 && first <= 57) return escapeNameChars(name, 1);
  if (first === 45 && second >= 48 && second <= 57) return `-${escapeNameChars(name.slice(1), 1)}`;
  if (name === "-") return "\\-";
  return escapeNameChars(name, 0);
}

/** After `#` any name character may come first. */
function serializeHashName(name: string): string {
  return escapeNameChars(name, 0);
}
