// RFC 5228's base language as a SieveExtension without a capability of its own: its commands and
// tests, the comparators i;octet and i;ascii-casemap, :is/:contains/:matches, :all/:localpart/:domain.
import { ALL, ASCII_CASEMAP, CONTAINS, DOMAIN, IS, LOCALPART, MATCHES, OCTET } from "../match.js";
import type { SieveExtension } from "../registry.js";
import { baseCommands } from "./commands.js";
import { baseTests } from "./tests.js";

export const baseLanguage: SieveExtension = {
  capabilities: [],
  commands: baseCommands,
  tests: baseTests,
  comparators: [OCTET, ASCII_CASEMAP],
  matchTypes: [IS, CONTAINS, MATCHES],
  addressParts: [ALL, LOCALPART, DOMAIN],
};
