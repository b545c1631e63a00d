// Every fuzz target, by the name `npm run fuzz -- --target <name>` takes. Each has its seed
// corpus in src/fuzz/corpus/<name>/.
// `knownIssue`: an open finding of this target, not fixed yet; npm test's short run reports the
// target as TODO instead of failing (remove it with the fix).
export const TARGETS: Record<string, { module: string; exportName: string; knownIssue?: string }> = {
  smtp: { module: "./smtp.ts", exportName: "smtpTarget" },
  imap: { module: "./imap.ts", exportName: "imapTarget" },
  pop3: { module: "./pop3.ts", exportName: "pop3Target" },
  managesieve: { module: "./managesieve.ts", exportName: "managesieveTarget" },
  mime: { module: "./mime.ts", exportName: "mimeTarget" },
  jmap: { module: "./jmap.ts", exportName: "jmapTarget" },
  "list-pattern": { module: "./list-pattern.ts", exportName: "listPatternTarget" },
  "base-subject": { module: "./base-subject.ts", exportName: "baseSubjectTarget" },
  mbox: { module: "./mbox.ts", exportName: "mboxTarget" },
  // Browser code, typechecked under web/'s tsconfig: its target lives there (see that file).
  sanitizer: {
    module: "../../../web/src/testing/sanitize.fuzz.ts",
    exportName: "sanitizerTarget",
  },
};

export function targetUrl(name: string): string {
  const t = TARGETS[name];
  if (!t) throw new Error(`unknown fuzz target ${name}; known: ${Object.keys(TARGETS).join(", ")}`);
  return new URL(t.module, import.meta.url).href;
}
