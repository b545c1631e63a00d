// Which Pigeonhole test file measures what. Every .svtest file of the suite lands in exactly one
// group, by its path (tests/extensions/<name>/ is that extension's): the base language, one group
// per extension issue 19 asks for, and the rest, which are run only when the interpreter claims
// the extension (supportedExtensions) and otherwise listed as not applicable with the reason.
// fileinto, copy and i;ascii-numeric have no folder of their own in the suite: the table counts,
// besides, the files that require them ("cross" rows, each file also counted in its own group).

export interface Group {
  /** The row's name in the table. */
  name: string;
  /** Path prefixes under tests/ (a folder ends with "/", else a whole file name). */
  paths: string[];
  /** Capabilities the group's files need; a group whose capabilities the interpreter lacks is not
   *  applicable (its files are listed, not run). Empty: the base language. */
  needs: string[];
  /** Why a group is not applicable even when the interpreter has its capabilities (Dovecot-only). */
  dovecotOnly?: string;
  /** Not in issue 19's list: run when supported, but not part of the target. */
  extra?: boolean;
}

export const GROUPS: Group[] = [
  {
    name: "base language",
    paths: [
      "testsuite.svtest",
      "control-",
      "test-",
      "lexer.svtest",
      "compile/",
      "execute/",
      "comparators/i-octet.svtest",
      "comparators/i-ascii-casemap.svtest",
      "match-types/",
      "multiscript/",
      "failures/",
    ],
    needs: [],
  },
  { name: "encoded-character", paths: ["extensions/encoded-character.svtest"], needs: ["encoded-character"] },
  { name: "envelope", paths: ["extensions/envelope.svtest"], needs: ["envelope"] },
  { name: "reject/ereject", paths: ["extensions/reject/"], needs: ["reject"] },
  { name: "imap4flags", paths: ["extensions/imap4flags/"], needs: ["imap4flags"] },
  { name: "body", paths: ["extensions/body/"], needs: ["body"] },
  { name: "variables", paths: ["extensions/variables/"], needs: ["variables"] },
  { name: "vacation/vacation-seconds", paths: ["extensions/vacation/"], needs: ["vacation"] },
  { name: "relational", paths: ["extensions/relational/"], needs: ["relational"] },
  { name: "subaddress", paths: ["extensions/subaddress/"], needs: ["subaddress"] },
  { name: "date/index", paths: ["extensions/date/", "extensions/index/"], needs: ["date"] },
  { name: "mailbox", paths: ["extensions/mailbox/"], needs: ["mailbox"] },
  { name: "include", paths: ["extensions/include/"], needs: ["include"] },
  { name: "editheader", paths: ["extensions/editheader/"], needs: ["editheader"] },
  { name: "duplicate", paths: ["extensions/duplicate/"], needs: ["duplicate"] },
  { name: "spamtest/virustest", paths: ["extensions/spamvirustest/"], needs: ["spamtest"] },
  { name: "enotify/mailto", paths: ["extensions/enotify/"], needs: ["enotify"] },
  { name: "regex", paths: ["extensions/regex/"], needs: ["regex"] },
  { name: "environment", paths: ["extensions/environment/"], needs: ["environment"] },
  {
    name: "i;unicode-casemap",
    paths: ["comparators/i-unicode-casemap.svtest"],
    needs: ["comparator-i;unicode-casemap"],
    extra: true,
  },
  { name: "ihave", paths: ["extensions/ihave/"], needs: ["ihave"], extra: true },
  { name: "mime/foreverypart", paths: ["extensions/mime/"], needs: ["mime"], extra: true },
  { name: "special-use", paths: ["extensions/special-use/"], needs: ["special-use"], extra: true },
  { name: "extlists", paths: ["extensions/extlists/"], needs: ["extlists"], extra: true },
  {
    name: "mboxmetadata",
    paths: ["extensions/metadata/"],
    needs: ["mboxmetadata"],
    extra: true,
    dovecotOnly: "needs IMAP METADATA set through Dovecot's mail storage (test_imap_metadata_set)",
  },
  {
    name: "vnd.dovecot.*",
    paths: ["extensions/vnd.dovecot/"],
    needs: [],
    extra: true,
    dovecotOnly: "Dovecot's own vendor extensions (debug, environment, report)",
  },
  {
    name: "extprograms",
    paths: ["plugins/"],
    needs: [],
    extra: true,
    dovecotOnly: "Dovecot's extprograms plugin (vnd.dovecot.pipe/filter/execute: running programs)",
  },
];

/** Rows that count files by what they require, across groups. */
export const CROSS: { name: string; capability: string }[] = [
  { name: "fileinto", capability: "fileinto" },
  { name: "copy", capability: "copy" },
  { name: "i;ascii-numeric", capability: "comparator-i;ascii-numeric" },
];

/** The group a file (path relative to tests/, "/" separated) belongs to. */
export function groupOf(rel: string): Group | null {
  for (const g of GROUPS) {
    if (g.paths.some((p) => rel.startsWith(p))) return g;
  }
  return null;
}

/** Why the group's files are not run, or null when they are. */
export function notApplicable(g: Group, supported: ReadonlySet<string>): string | null {
  if (g.dovecotOnly) return g.dovecotOnly;
  const missing = g.needs.filter((c) => !supported.has(c));
  if (missing.length > 0) return `not implemented: ${missing.join(", ")}`;
  return null;
}

/** Files Pigeonhole runs expecting the run to fail (Makefile.am failure_test_cases: fuzzer
 *  finds that must be refused cleanly, `testsuite -F`). */
export function expectsFailure(rel: string): boolean {
  return rel.startsWith("failures/");
}
