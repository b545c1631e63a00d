// Reading typed fields out of a parsed report (XML turned into objects, or JSON) without trusting
// its shape: each reader names the field it was looking for when it fails.
import { isIP } from "node:net";
import { malformed } from "./errors.js";

/** A JSON-ish object; anything else is refused. */
export function obj(v: unknown, name: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw malformed(`${name}: not an object`);
  return v as Record<string, unknown>;
}

/** One element or a list of them (XML elements that may repeat), as a list; absent: []. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null || v === "") return [];
  return Array.isArray(v) ? v : [v];
}

/** Longest text kept from any one field: report ids, names and reasons are short. */
const MAX_TEXT = 1024;

export function text(v: unknown, name: string): string {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") throw malformed(`${name}: missing or not text`);
  const t = v.trim();
  if (t === "") throw malformed(`${name}: empty`);
  return t.length > MAX_TEXT ? t.slice(0, MAX_TEXT) : t;
}

export function optText(v: unknown, name: string): string | null {
  return v === undefined || v === null || v === "" ? null : text(v, name);
}

/** A non-negative integer, given as a number (JSON) or decimal digits (XML). */
export function count(v: unknown, name: string): number {
  const n =
    typeof v === "number" ? v : typeof v === "string" && /^\s*\d{1,15}\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw malformed(`${name}: not a non-negative integer`);
  return n;
}

export function ip(v: unknown, name: string): string {
  const t = text(v, name);
  if (isIP(t) === 0) throw malformed(`${name}: not an IP address: ${t.slice(0, 64)}`);
  return t;
}

export function optIp(v: unknown, name: string): string | null {
  return v === undefined || v === null || v === "" ? null : ip(v, name);
}
