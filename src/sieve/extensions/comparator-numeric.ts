// RFC 4790 9.1 i;ascii-numeric (Sieve capability "comparator-i;ascii-numeric", RFC 5228 2.7.3):
// equality and ordering of the leading decimal digits; no substring matches.
import { ASCII_NUMERIC } from "../match.js";
import type { SieveExtension } from "../registry.js";

export const asciiNumericExtension: SieveExtension = {
  capabilities: ["comparator-i;ascii-numeric"],
  comparators: [ASCII_NUMERIC],
};
