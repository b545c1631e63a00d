// An in-memory SpamStore for the classifier's token counts, totals and training records: what
// the classifier's unit tests and the corpus tuning script train into (thousands of messages in
// a second, no database). It honours the interface's semantics (src/store/types.ts): training is
// idempotent per (account, key), a retrain moves the tokens to the other class, counts never go
// below 0. Preferences and verdicts are kept as plainly as the interface asks.
import type {
  SpamClass,
  SpamPrefs,
  SpamScope,
  SpamStore,
  SpamTokenCounts,
  SpamTraining,
  SpamVerdictRecord,
} from "../../store/types.js";

interface Model {
  totals: SpamTokenCounts;
  tokens: Map<number, SpamTokenCounts>;
}

export class MemorySpamModel implements SpamStore {
  private readonly models = new Map<SpamScope, Model>();
  private readonly trained = new Map<string, SpamClass>();
  private readonly prefs = new Map<number, SpamPrefs>();
  private verdicts: SpamVerdictRecord[] = [];
  private version = 0;

  async tokenCounts(scope: SpamScope, hashes: readonly number[]): Promise<Map<number, SpamTokenCounts>> {
    const out = new Map<number, SpamTokenCounts>();
    const m = this.models.get(scope);
    if (m === undefined) return out;
    for (const h of hashes) {
      const c = m.tokens.get(h);
      if (c !== undefined) out.set(h, { spam: c.spam, ham: c.ham });
    }
    return out;
  }

  async modelTotals(scope: SpamScope): Promise<SpamTokenCounts> {
    const t = this.models.get(scope)?.totals;
    return { spam: t?.spam ?? 0, ham: t?.ham ?? 0 };
  }

  async modelVersion(): Promise<number> {
    return this.version;
  }

  async train(t: SpamTraining): Promise<"trained" | "retrained" | "forgotten" | "unchanged"> {
    const id = `${t.accountId}\u0000${t.key}`;
    const before = this.trained.get(id) ?? null;
    if (before === t.as) return "unchanged";
    this.version++;
    for (const scope of t.scopes) {
      if (before !== null) this.add(scope, before, t.hashes, -1);
      if (t.as !== null) this.add(scope, t.as, t.hashes, 1);
    }
    if (t.as === null) this.trained.delete(id);
    else this.trained.set(id, t.as);
    return before === null ? "trained" : t.as === null ? "forgotten" : "retrained";
  }

  async trainedAs(accountId: number, key: string): Promise<SpamClass | null> {
    return this.trained.get(`${accountId}\u0000${key}`) ?? null;
  }

  async modelStats(): Promise<{ models: number; tokens: number }> {
    let models = 0;
    let tokens = 0;
    for (const m of this.models.values()) {
      if (m.totals.spam + m.totals.ham > 0) models++;
      tokens += m.tokens.size;
    }
    return { models, tokens };
  }

  async getSpamPrefs(accountId: number): Promise<SpamPrefs> {
    const p = this.prefs.get(accountId);
    return p === undefined
      ? { allow: [], block: [], junkScore: null, fileIntoJunk: null }
      : { ...p, allow: [...p.allow], block: [...p.block] };
  }

  async setSpamPrefs(accountId: number, patch: Partial<SpamPrefs>): Promise<SpamPrefs> {
    const next = { ...(await this.getSpamPrefs(accountId)), ...patch };
    this.prefs.set(accountId, next);
    this.version++; // prefs are cached with the models (token-cache.ts), as the stores do
    return this.getSpamPrefs(accountId);
  }

  async recordVerdict(v: SpamVerdictRecord, keep: number): Promise<void> {
    this.verdicts = [v, ...this.verdicts].slice(0, Math.max(0, keep));
  }

  async recentVerdicts(limit: number): Promise<SpamVerdictRecord[]> {
    return this.verdicts.slice(0, Math.max(0, limit));
  }

  /** Adds (or, with delta −1, removes) one message of class `as` to a model, never below 0. */
  private add(scope: SpamScope, as: SpamClass, hashes: readonly number[], delta: 1 | -1): void {
    let m = this.models.get(scope);
    if (m === undefined) {
      m = { totals: { spam: 0, ham: 0 }, tokens: new Map() };
      this.models.set(scope, m);
    }
    m.totals[as] = Math.max(0, m.totals[as] + delta);
    for (const h of hashes) {
      let c = m.tokens.get(h);
      if (c === undefined) {
        if (delta < 0) continue;
        c = { spam: 0, ham: 0 };
        m.tokens.set(h, c);
      }
      c[as] = Math.max(0, c[as] + delta);
      if (c.spam === 0 && c.ham === 0) m.tokens.delete(h);
    }
  }
}
