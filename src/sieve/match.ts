// Comparators (RFC 4790 via RFC 5228 2.7.3), match types (RFC 5228 2.7.1) and address parts
// (RFC 5228 2.7.4). Case folding is done once: keys when the script is compiled, header values
// once per run (Runtime.folded caches by the value array), so 100 rules on the same Subject fold
// it once. i;ascii-casemap folds only A-Z (so lengths and offsets do not change, and match
// variables are cut from the original text at the same offsets).

import type { Pos } from "./parser.js";
import type { AddressPart, Matcher } from "./registry.js";
import type { Runtime } from "./runtime.js";
import { allConstant, expandAll, type Str } from "./strings.js";
import { compileWildcard, type Wildcard } from "./wildcard.js";

export interface ComparatorDef {
  name: string;
  capability: string | null;
  /** Values and keys are folded (ascii-casemap) before the match type compares them. */
  folds: boolean;
  /** Substring match types (:contains, :matches, :regex) are defined for it (RFC 4790 4.2.3). */
  substring: boolean;
  /** Equality of two (folded) values. */
  equals(a: string, b: string): boolean;
  /** Ordering of two (folded) values for relational :value (negative, 0, positive). */
  compare(a: string, b: string): number;
}

export interface MatchTypeDef {
  tag: string;
  capability: string | null;
  /** The match type takes an argument (relational's "gt", "eq"...). */
  value?: "string";
  /** Compile-time checks (report with error). */
  validate?(o: { param: string | null; comparator: ComparatorDef; error: (message: string) => void }): void;
  build(o: {
    comparator: ComparatorDef;
    param: string | null;
    keys: Str[];
    error: (message: string) => void;
    /** Where the test is, for runtime warnings (Runtime.warn). */
    pos: Pos;
  }): Matcher;
}

export interface AddressPartDef {
  tag: string;
  capability: string | null;
  extract: AddressPart;
}

/** Lower-cases A-Z only (RFC 4790 9.2 i;ascii-casemap). Linear, allocation-free when nothing to fold. */
export function asciiFold(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/** RFC 4790 9.1 i;ascii-numeric: the number made of the leading digits; a string that does not
 *  start with a digit is positive infinity. Compared without conversion (any length). */
export function numericCompare(a: string, b: string): number {
  const da = digitsOf(a);
  const db = digitsOf(b);
  if (da === null || db === null) return da === db ? 0 : da === null ? 1 : -1;
  if (da.length !== db.length) return da.length - db.length;
  return da < db ? -1 : da > db ? 1 : 0;
}

function digitsOf(s: string): string | null {
  let end = 0;
  while (end < s.length && s.charCodeAt(end) >= 0x30 && s.charCodeAt(end) <= 0x39) end++;
  if (end === 0) return null;
  let start = 0;
  while (start < end - 1 && s.charCodeAt(start) === 0x30) start++;
  return s.slice(start, end);
}

const octetCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const OCTET: ComparatorDef = {
  name: "i;octet",
  capability: null,
  folds: false,
  substring: true,
  equals: (a, b) => a === b,
  compare: octetCompare,
};

export const ASCII_CASEMAP: ComparatorDef = {
  name: "i;ascii-casemap",
  capability: null,
  folds: true,
  substring: true,
  equals: (a, b) => a === b,
  compare: octetCompare,
};

export const ASCII_NUMERIC: ComparatorDef = {
  name: "i;ascii-numeric",
  capability: "comparator-i;ascii-numeric",
  folds: false,
  substring: false,
  equals: (a, b) => numericCompare(a, b) === 0,
  compare: numericCompare,
};

/** Keys folded for the comparator, once when constant, per run otherwise. */
export function keySource(keys: Str[], cmp: ComparatorDef): (rt: Runtime) => readonly string[] {
  const fold = cmp.folds ? asciiFold : (s: string) => s;
  if (allConstant(keys)) {
    const folded = keys.map(fold);
    return () => folded;
  }
  return (rt) => expandAll(keys, rt).map(fold);
}

/** A match type that compares each value with each key: true when any pair matches. */
export function perValue<P>(
  keys: Str[],
  cmp: ComparatorDef,
  prepare: (key: string) => P,
  test: (value: string, key: P, original: string, rt: Runtime) => boolean,
): Matcher {
  const fold = cmp.folds ? asciiFold : (s: string) => s;
  const constant = allConstant(keys) ? keys.map((k) => prepare(fold(k))) : null;
  return (values, rt) => {
    if (values.length === 0) return false;
    const prepared = constant ?? expandAll(keys, rt).map((k) => prepare(fold(k)));
    const folded = cmp.folds ? rt.folded(values) : values;
    for (let v = 0; v < folded.length; v++) {
      const value = folded[v]!;
      for (let k = 0; k < prepared.length; k++) {
        if (test(value, prepared[k]!, values[v]!, rt)) return true;
      }
    }
    return false;
  };
}

export const IS: MatchTypeDef = {
  tag: ":is",
  capability: null,
  build: ({ comparator, keys }) =>
    perValue(
      keys,
      comparator,
      (k) => k,
      (v, k) => comparator.equals(v, k),
    ),
};

export const CONTAINS: MatchTypeDef = {
  tag: ":contains",
  capability: null,
  validate: ({ comparator, error }) => {
    if (!comparator.substring) error(`comparator "${comparator.name}" does not allow :contains`);
  },
  build: ({ comparator, keys }) =>
    perValue(
      keys,
      comparator,
      (k) => k,
      (v, k) => v.includes(k),
    ),
};

export const MATCHES: MatchTypeDef = {
  tag: ":matches",
  capability: null,
  validate: ({ comparator, error }) => {
    if (!comparator.substring) error(`comparator "${comparator.name}" does not allow :matches`);
  },
  build: ({ comparator, keys }) =>
    perValue<Wildcard>(keys, comparator, compileWildcard, (v, w, original, rt) => {
      const caps = w.match(v);
      if (caps === null) return false;
      // RFC 5229 3.2: a successful :matches sets ${0} (the whole value) and ${1}.. (each wildcard).
      if (rt.capturing) rt.setMatchVars(caps, original);
      return true;
    }),
};

export const ALL: AddressPartDef = {
  tag: ":all",
  capability: null,
  extract: (l, d) => (d === "" ? l : `${l}@${d}`),
};
export const LOCALPART: AddressPartDef = { tag: ":localpart", capability: null, extract: (l) => l };
export const DOMAIN: AddressPartDef = { tag: ":domain", capability: null, extract: (_l, d) => d };
