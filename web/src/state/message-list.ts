// The message list's data: a window onto an Email/query result that may be 100,000 long. Only
// the pages the list shows are fetched (Email/query with position/limit, Email/get of those ids
// and Thread/get of their threads, in one request with result references, RFC 8620 3.7); the
// list keeps a sparse position → id map and a cache of summaries. A state change from push
// drops the pages and refetches what is on screen. Rows can be hidden at once for an optimistic
// move or delete and put back if the server refuses it.
import { type Args, Jmap, type JmapApi } from "../api/jmap";
import { type EmailSummary, SUMMARY_PROPERTIES } from "../mail/types";

export const PAGE = 50;
/** Pages kept around the visible range; farther ones are forgotten (bounded memory). */
const KEEP_PAGES = 20;

export interface ListQuery {
  filter: Args;
  /** Free-text search: also asks SearchSnippet/get for highlighted excerpts. */
  search: boolean;
  collapseThreads: boolean;
}

export interface Snippet {
  subject: string | null;
  preview: string | null;
}

/** What restore() needs to undo a hide(). */
export interface HiddenRows {
  ids: Map<number, string>;
  total: number | null;
}

export class ListModel {
  total: number | null = null;
  error: string | null = null;
  private ids = new Map<number, string>();
  readonly emails = new Map<string, EmailSummary>();
  readonly threadSizes = new Map<string, number>();
  readonly snippets = new Map<string, Snippet>();
  private readonly loaded = new Set<number>();
  private readonly loading = new Set<number>();
  private generation = 0;
  private lastRange: [number, number] = [0, PAGE - 1];
  private listeners = new Set<() => void>();

  constructor(
    private readonly jmap: JmapApi,
    readonly query: ListQuery,
  ) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  idAt(i: number): string | undefined {
    return this.ids.get(i);
  }

  emailAt(i: number): EmailSummary | undefined {
    const id = this.ids.get(i);
    return id === undefined ? undefined : this.emails.get(id);
  }

  indexOf(id: string): number {
    for (const [i, x] of this.ids) if (x === id) return i;
    return -1;
  }

  /** Make sure rows from..to (inclusive) are loaded or loading. */
  ensure(from: number, to: number): void {
    this.lastRange = [from, to];
    const first = Math.floor(Math.max(0, from) / PAGE);
    const last = Math.floor(Math.max(0, to) / PAGE);
    for (let p = first; p <= last; p++) {
      if (this.total !== null && p * PAGE >= this.total && p > 0) break;
      if (!this.loaded.has(p) && !this.loading.has(p)) void this.fetchPage(p);
    }
    this.forgetFarPages(first, last);
  }

  /** After a change on the server: refetch what is on screen, keep showing the old rows meanwhile. */
  refresh(): void {
    this.generation++;
    this.loaded.clear();
    this.loading.clear();
    this.ensure(this.lastRange[0], this.lastRange[1]);
  }

  /** Apply a local change at once (the server's answer and the push event confirm it). */
  patch(id: string, change: Partial<EmailSummary>): void {
    const e = this.emails.get(id);
    if (e) this.emails.set(id, { ...e, ...change });
    this.changed();
  }

  /** Remove rows at once after a move or delete, then refetch what is on screen. */
  drop(ids: string[]): void {
    const before = this.hide(ids);
    if (before.ids.size !== this.ids.size) this.refresh();
  }

  /**
   * Remove rows at once, before the server has answered (an optimistic move or delete); the
   * caller refreshes once it has, or restore()s on a refusal. Pages in flight were asked before
   * the change and could bring the rows back: they are discarded.
   */
  hide(ids: string[]): HiddenRows {
    const before: HiddenRows = { ids: new Map(this.ids), total: this.total };
    const gone = new Set(ids);
    const at = [...this.ids.entries()].filter(([, id]) => gone.has(id)).map(([i]) => i);
    if (at.length === 0) return before;
    for (const i of at.sort((x, y) => y - x)) {
      const after = [...this.ids.entries()].filter(([k]) => k > i).sort((x, y) => x[0] - y[0]);
      this.ids.delete(i);
      for (const [k, id] of after) {
        this.ids.delete(k);
        this.ids.set(k - 1, id);
      }
    }
    if (this.total !== null) this.total = Math.max(0, this.total - at.length);
    this.generation++;
    this.loading.clear();
    this.changed();
    return before;
  }

  /** Undo a hide() the server refused: the rows come back where they were, then a refetch. */
  restore(hidden: HiddenRows): void {
    this.ids = new Map(hidden.ids);
    this.total = hidden.total;
    this.changed();
    this.refresh();
  }

  private forgetFarPages(first: number, last: number): void {
    for (const p of [...this.loaded]) {
      if (p < first - KEEP_PAGES || p > last + KEEP_PAGES) {
        this.loaded.delete(p);
        for (let i = p * PAGE; i < (p + 1) * PAGE; i++) {
          const id = this.ids.get(i);
          if (id !== undefined) this.emails.delete(id);
          this.ids.delete(i);
        }
      }
    }
  }

  private async fetchPage(p: number): Promise<void> {
    const gen = this.generation;
    this.loading.add(p);
    const acc = this.jmap.accountId;
    const q = this.query;
    const calls: [string, Args, string][] = [
      [
        "Email/query",
        {
          accountId: acc,
          filter: q.filter,
          sort: [{ property: "receivedAt", isAscending: false }],
          collapseThreads: q.collapseThreads,
          position: p * PAGE,
          limit: PAGE,
          calculateTotal: true,
        },
        "q",
      ],
      [
        "Email/get",
        {
          accountId: acc,
          "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
          properties: SUMMARY_PROPERTIES,
        },
        "g",
      ],
      [
        "Thread/get",
        { accountId: acc, "#ids": { resultOf: "g", name: "Email/get", path: "/list/*/threadId" } },
        "t",
      ],
    ];
    if (q.search)
      calls.push([
        "SearchSnippet/get",
        {
          accountId: acc,
          filter: q.filter,
          "#emailIds": { resultOf: "q", name: "Email/query", path: "/ids" },
        },
        "s",
      ]);
    try {
      const r = await this.jmap.request(calls);
      if (gen !== this.generation) return;
      const query = Jmap.result<{ ids: string[]; total?: number; position: number }>(r, "q");
      const got = Jmap.result<{ list: EmailSummary[] }>(r, "g");
      for (const e of got.list) this.emails.set(e.id, e);
      try {
        const threads = Jmap.result<{ list: { id: string; emailIds: string[] }[] }>(r, "t");
        for (const t of threads.list) this.threadSizes.set(t.id, t.emailIds.length);
      } catch {
        // thread sizes are decoration
      }
      if (q.search) {
        try {
          const s = Jmap.result<{ list: ({ emailId: string } & Snippet)[] }>(r, "s");
          for (const x of s.list) this.snippets.set(x.emailId, { subject: x.subject, preview: x.preview });
        } catch {
          // a server without SearchSnippet/get: plain previews
        }
      }
      if (typeof query.total === "number") this.total = query.total;
      for (let i = p * PAGE; i < (p + 1) * PAGE; i++) this.ids.delete(i);
      for (const [k, id] of query.ids.entries()) this.ids.set(query.position + k, id);
      // The last page may have shrunk: nothing may linger past the end.
      if (this.total !== null) for (const i of [...this.ids.keys()]) if (i >= this.total) this.ids.delete(i);
      this.loaded.add(p);
      this.error = null;
    } catch (e) {
      if (gen !== this.generation) return;
      this.error = e instanceof Error ? e.message : String(e);
      if (this.total === null) this.total = 0;
    } finally {
      if (gen === this.generation) this.loading.delete(p);
      this.changed();
    }
  }
}
