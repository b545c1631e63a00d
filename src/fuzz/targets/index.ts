// Every fuzz target, by the name `npm run fuzz -- --target <name>` takes. Each has its seed
// corpus in src/fuzz/corpus/<name>/.
export const TARGETS: Record<string, { module: string; exportName: string }> = {
  smtp: { module: "./smtp.ts", exportName: "smtpTarget" },
  imap: { module: "./imap.ts", exportName: "imapTarget" },
  pop3: { module: "./pop3.ts", exportName: "pop3Target" },
  mime: { module: "./mime.ts", exportName: "mimeTarget" },
  jmap: { module: "./jmap.ts", exportName: "jmapTarget" },
  "list-pattern": { module: "./list-pattern.ts", exportName: "listPatternTarget" },
  "base-subject": { module: "./base-subject.ts", exportName: "baseSubjectTarget" },
};

export function targetUrl(name: string): string {
  const t = TARGETS[name];
  if (!t) throw new Error(`unknown fuzz target ${name}; known: ${Object.keys(TARGETS).join(", ")}`);
  return new URL(t.module, import.meta.url).href;
}
