// Token counts and model totals kept in memory across messages. Without it every message asks
// SQLite for each of its few hundred tokens (~1 µs a token whatever the query's shape: json_each,
// an IN list or a join measured the same), which was ~44 % of the filter's cost with a trained
// model; mail repeats most of its tokens (headers, the same senders and templates), so most are
// answered here. Tokens the model never saw are remembered too (as absent): they are most of a
// message's tokens and would otherwise be asked again every time.
//
// Kept correct by the store's model version (SpamStore.modelVersion), bumped in the transaction
// of every training by any process (the `yubin spam train` CLI, another server on the same data
// directory, this process's IMAP/JMAP Junk moves): each message reads it once (`sync`), and a
// version not the one the cache was filled under drops the whole cache, so training takes
// effect for the next message. Counts fetched after a version was read are current for it: a
// fetch is kept only if no newer version was seen while it ran (`generation`).
//
// Bounded in entries, two generations: entries go into the young map; when it holds half the
// bound it becomes the old one and the previous old one is dropped; a hit in the old map moves
// the entry back to the young one. The tokens in steady use stay, a burst of new ones (a spam
// run's random words) pushes out at most half, and at most `maxEntries` are ever held.
//
// Recipients' prefs are kept here too, under the same version (the stores bump it on every prefs
// change): in bench:smtp's server a prefs read after an await cost 10–16 µs of CPU per message
// and recipient, an SQLite read paying for the deliveries committed since the last one.
import type { SpamPrefs, SpamScope, SpamStore, SpamTokenCounts } from "../../store/types.js";

/** What the classifier reads of the models (classify.ts): the store itself or this cache. */
export type ModelReader = Pick<SpamStore, "tokenCounts" | "modelTotals">;

/** What the filter reads of the store through the cache. */
export type CachedStore = Pick<SpamStore, "tokenCounts" | "modelTotals" | "modelVersion" | "getSpamPrefs">;

export interface TokenCacheOptions {
  /** Most token entries held, known and absent, over all models ([spam] tokenCacheEntries); 0:
   *  no caching, every read goes to the store. */
  maxEntries: number;
}

/** A token's counts, or null: the model has no such token. */
type Entry = SpamTokenCounts | null;

/** One generation: per model, its tokens. */
type Generation = Map<SpamScope, Map<number, Entry>>;

export class TokenCache implements ModelReader {
  private young: Generation = new Map();
  private old: Generation = new Map();
  private youngSize = 0;
  private oldSize = 0;
  private readonly totals = new Map<SpamScope, SpamTokenCounts>();
  private readonly prefs = new Map<number, SpamPrefs>();
  /** The model version the entries were fetched under; null: none read yet. */
  private version: number | null = null;
  /** Changes whenever the entries are dropped: a fetch begun under another is not kept. */
  private generation = 0;
  private readonly half: number;

  constructor(
    private readonly store: CachedStore,
    opts: TokenCacheOptions,
  ) {
    this.half = Math.floor(opts.maxEntries / 2);
  }

  /** Entries held (known and absent tokens), at most maxEntries. */
  get size(): number {
    return this.youngSize + this.oldSize;
  }

  /** Reads the model version; if any training changed the models since the entries were
   *  fetched, drops them. Once per message, before its reads. */
  async sync(): Promise<void> {
    if (this.half === 0) return;
    const v = await this.store.modelVersion();
    if (v !== this.version) {
      this.clear();
      this.version = v;
    }
  }

  async modelTotals(scope: SpamScope): Promise<SpamTokenCounts> {
    if (this.half === 0) return this.store.modelTotals(scope);
    const known = this.totals.get(scope);
    if (known !== undefined) return { spam: known.spam, ham: known.ham };
    const gen = this.generation;
    const t = await this.store.modelTotals(scope);
    // A cache of totals per model id: bounded by the models the filter asks about, one each,
    // and cleared with the entries; past the entry bound it simply stops adding.
    if (gen === this.generation && this.totals.size < this.half) this.totals.set(scope, t);
    return { spam: t.spam, ham: t.ham };
  }

  /** The account's prefs (SpamStore.getSpamPrefs: StoreError "not-found" for no such account),
   *  current as of the last `sync`. Shared: the caller must not change them. */
  async spamPrefs(accountId: number): Promise<SpamPrefs> {
    if (this.half === 0) return this.store.getSpamPrefs(accountId);
    const known = this.prefs.get(accountId);
    if (known !== undefined) return known;
    const gen = this.generation;
    const p = await this.store.getSpamPrefs(accountId);
    // One entry per recipient account, cleared with the rest; past the bound it stops adding.
    if (gen === this.generation && this.prefs.size < this.half) this.prefs.set(accountId, p);
    return p;
  }

  async tokenCounts(scope: SpamScope, hashes: readonly number[]): Promise<Map<number, SpamTokenCounts>> {
    if (this.half === 0) return this.store.tokenCounts(scope, hashes);
    const out = new Map<number, SpamTokenCounts>();
    const missing: number[] = [];
    const young = this.young.get(scope);
    const old = this.old.get(scope);
    for (const h of hashes) {
      let e = young?.get(h);
      if (e === undefined && old !== undefined) {
        e = old.get(h);
        if (e !== undefined) this.put(scope, h, e);
      }
      if (e === undefined) missing.push(h);
      else if (e !== null) out.set(h, e);
    }
    if (missing.length === 0) return out;
    const gen = this.generation;
    const got = await this.store.tokenCounts(scope, missing);
    const keep = gen === this.generation;
    for (const h of missing) {
      const c = got.get(h);
      if (c !== undefined) out.set(h, c);
      if (keep) this.put(scope, h, c ?? null);
    }
    return out;
  }

  private put(scope: SpamScope, hash: number, e: Entry): void {
    let m = this.young.get(scope);
    if (m === undefined) {
      m = new Map();
      this.young.set(scope, m);
    }
    const before = m.size;
    m.set(hash, e);
    if (m.size === before) return;
    this.youngSize++;
    if (this.youngSize >= this.half) {
      this.old = this.young;
      this.oldSize = this.youngSize;
      this.young = new Map();
      this.youngSize = 0;
    }
  }

  private clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.youngSize = 0;
    this.oldSize = 0;
    this.totals.clear();
    this.prefs.clear();
    this.generation++;
  }
}
