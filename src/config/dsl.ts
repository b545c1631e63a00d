// A tiny schema language for the config file: each key carries its type, default and comment,
// so validation, defaults and the commented sample config all come from one place.

export interface Field<T> {
  kind: "string" | "int" | "bool" | "enum" | "stringList";
  default: T;
  doc: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Further checks at load (beyond the type); a message naming what is wrong, or null. */
  validate?(value: T): string | null;
}

export type Section = Record<string, Field<unknown>>;

export type SectionValue<S extends Section> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export const str = (def: string, doc: string): Field<string> => ({ kind: "string", default: def, doc });

export const int = (def: number, doc: string, range: { min?: number; max?: number } = {}): Field<number> => ({
  kind: "int",
  default: def,
  doc,
  min: range.min ?? 0,
  max: range.max ?? Number.MAX_SAFE_INTEGER,
});

export const bool = (def: boolean, doc: string): Field<boolean> => ({ kind: "bool", default: def, doc });

export const oneOf = <const V extends readonly string[]>(
  values: V,
  def: V[number],
  doc: string,
): Field<V[number]> => ({ kind: "enum", default: def, doc, values });

export const strList = (
  def: string[],
  doc: string,
  validate?: (value: string[]) => string | null,
): Field<string[]> => ({
  kind: "stringList",
  default: def,
  doc,
  ...(validate ? { validate } : {}),
});

/** Defaults of a section, as a plain object. */
export function defaultsOf<S extends Section>(s: S): SectionValue<S> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(s)) {
    out[k] = Array.isArray(f.default) ? [...f.default] : f.default;
  }
  return out as SectionValue<S>;
}
