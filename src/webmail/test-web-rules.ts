// The webmail's rules code (web/src/rules: rule model ↔ Sieve) for the server-side tests that
// check it against the real interpreter and server. Loaded by URL at run time (tsx compiles it)
// because web/src is type-checked with the browser's settings (web/tsconfig.json), not these;
// the shapes the tests use are restated here.

export type TextMatch = "contains" | "is" | "matches" | "notcontains";
export type Condition =
  | { kind: "from" | "to" | "subject"; match: TextMatch; value: string }
  | { kind: "header"; header: string; match: TextMatch; value: string }
  | { kind: "size"; over: boolean; kb: number }
  | { kind: "spam"; spam: boolean };
export type Action =
  | { kind: "move" | "copy"; folder: string }
  | { kind: "flag" | "read" | "discard" | "stop" }
  | { kind: "forward"; to: string; keep: boolean }
  | { kind: "reject"; reason: string };
export interface Rule {
  name: string;
  enabled: boolean;
  match: "all" | "any";
  conditions: Condition[];
  actions: Action[];
}

export interface WebRules {
  rulesToSieve(rules: Rule[]): string;
  sieveToRules(text: string): { ok: true; rules: Rule[] } | { ok: false; reason: "handEdited" };
  ruleProblem(rule: Rule): string | null;
}

export async function loadWebRules(): Promise<WebRules> {
  const at = (p: string) => new URL(`../../web/src/rules/${p}`, import.meta.url).href;
  const [write, read, model] = await Promise.all([
    import(at("sieve-write.ts")),
    import(at("sieve-read.ts")),
    import(at("model.ts")),
  ]);
  return {
    rulesToSieve: write.rulesToSieve,
    sieveToRules: read.sieveToRules,
    ruleProblem: model.ruleProblem,
  };
}
