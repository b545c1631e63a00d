// THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 2.1, 2.2), over SortRecords, and the
// thread-list response syntax (RFC 5256 4): "(1 2 (3)(4 5))".
import type { SortRecord } from "./sort.js";

export interface ThreadNode {
  rec: SortRecord | null; // null: a dummy (a referenced message that is not in the result)
  children: ThreadNode[];
  parent: ThreadNode | null;
}

const node = (rec: SortRecord | null): ThreadNode => ({ rec, children: [], parent: null });

const byDate = (a: SortRecord, b: SortRecord) => a.sent - b.sent || a.uid - b.uid;

/** A node's date for sibling order: its own, or its first child's for a dummy (RFC 5256 2.2 step 4). */
function dateRec(n: ThreadNode): SortRecord | null {
  if (n.rec) return n.rec;
  return n.children[0] ? dateRec(n.children[0]) : null;
}

function sortSiblings(nodes: ThreadNode[]): void {
  for (const n of nodes) sortSiblings(n.children);
  nodes.sort((a, b) => {
    const x = dateRec(a);
    const y = dateRec(b);
    if (!x || !y) return x ? 1 : y ? -1 : 0;
    return byDate(x, y);
  });
}

/** RFC 5256 2.1: group by base subject; the oldest is the parent of all the others. */
export function orderedSubject(records: SortRecord[]): ThreadNode[] {
  const groups = new Map<string, SortRecord[]>();
  for (const r of [...records].sort((a, b) =>
    a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : byDate(a, b),
  )) {
    const g = groups.get(r.subject);
    if (g) g.push(r);
    else groups.set(r.subject, [r]);
  }
  const roots: ThreadNode[] = [];
  for (const g of groups.values()) {
    const root = node(g[0]!);
    for (const r of g.slice(1)) {
      const child = node(r);
      child.parent = root;
      root.children.push(child);
    }
    roots.push(root);
  }
  roots.sort((a, b) => byDate(a.rec!, b.rec!));
  return roots;
}

function isAncestor(a: ThreadNode, b: ThreadNode): boolean {
  for (let p: ThreadNode | null = b; p; p = p.parent) if (p === a) return true;
  return false;
}

function link(parent: ThreadNode, child: ThreadNode): void {
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = parent;
  parent.children.push(child);
}

/** RFC 5256 2.2, steps 1-6. */
export function references(records: SortRecord[]): ThreadNode[] {
  // Step 1: a container per Message-ID; references become parent/child links.
  const byId = new Map<string, ThreadNode>();
  const all: ThreadNode[] = [];
  const containerFor = (id: string): ThreadNode => {
    let c = byId.get(id);
    if (!c) {
      c = node(null);
      byId.set(id, c);
      all.push(c);
    }
    return c;
  };
  for (const r of [...records].sort(byDate)) {
    let own: ThreadNode;
    const existing = r.messageId ? byId.get(r.messageId) : undefined;
    if (r.messageId && existing && existing.rec === null) {
      own = existing;
      own.rec = r;
    } else {
      // No Message-ID, or a duplicate: a unique container of its own (1.A).
      own = node(r);
      all.push(own);
      if (r.messageId && !existing) byId.set(r.messageId, own);
    }
    let prev: ThreadNode | null = null;
    for (const ref of r.references) {
      const c = containerFor(ref);
      // 1.B: link consecutive references unless already linked or a loop would form.
      if (prev && !c.parent && c !== prev && !isAncestor(c, prev)) link(prev, c);
      prev = c;
    }
    // 1.C: the last reference is this message's parent (replacing any earlier guess).
    if (own.parent) own.parent.children = own.parent.children.filter((x) => x !== own);
    own.parent = null;
    if (prev && prev !== own && !isAncestor(own, prev)) link(prev, own);
  }
  // Step 2: the roots.
  let roots = all.filter((n) => n.parent === null);
  // Step 3: prune dummies.
  const prune = (list: ThreadNode[], atRoot: boolean): ThreadNode[] => {
    const out: ThreadNode[] = [];
    for (const n of list) {
      n.children = prune(n.children, false);
      for (const c of n.children) c.parent = n;
      if (n.rec !== null) out.push(n);
      else if (n.children.length === 0) continue;
      else if (atRoot && n.children.length > 1) out.push(n);
      else
        for (const c of n.children) {
          c.parent = atRoot ? null : n.parent;
          out.push(c);
        }
    }
    return out;
  };
  roots = prune(roots, true);
  // Step 4: sort by sent date.
  sortSiblings(roots);
  // Step 5: merge threads with the same base subject.
  const subjectOf = (n: ThreadNode): SortRecord | null => n.rec ?? n.children[0]?.rec ?? null;
  const table = new Map<string, ThreadNode>();
  for (const n of roots) {
    const r = subjectOf(n);
    if (!r || r.subject === "") continue;
    const old = table.get(r.subject);
    if (!old) table.set(r.subject, n);
    else if ((old.rec !== null && n.rec === null) || (old.rec?.isReply && n.rec && !n.rec.isReply))
      table.set(r.subject, n);
  }
  const merged: ThreadNode[] = [];
  const replace = (old: ThreadNode, by: ThreadNode) => {
    const i = merged.indexOf(old);
    if (i >= 0) merged[i] = by;
    else merged.push(by); // `old` comes later and, having a parent by then, is skipped
  };
  for (const n of roots) {
    if (n.parent) continue; // already merged into an earlier thread
    const r = subjectOf(n);
    const t = r && r.subject !== "" ? table.get(r.subject) : undefined;
    if (!t || t === n) {
      merged.push(n);
      continue;
    }
    if (t.rec === null && n.rec === null) for (const c of [...n.children]) link(t, c);
    else if (t.rec === null) link(t, n);
    else if (n.rec === null) {
      link(n, t);
      replace(t, n);
      table.set(r!.subject, n);
    } else if (!t.rec.isReply && n.rec.isReply) link(t, n);
    else {
      const d = node(null);
      link(d, t);
      link(d, n);
      replace(t, d);
      table.set(r!.subject, d);
    }
  }
  // Step 6: sort every set of siblings again.
  sortSiblings(merged);
  return merged;
}

/** thread-list per root (RFC 5256 4). */
export function formatThreads(roots: ThreadNode[], num: (r: SortRecord) => number): string {
  const inner = (n: ThreadNode): string => {
    const nums: number[] = [];
    let cur = n;
    for (let i = 0; i < 1_000_000 && cur.rec; i++) {
      nums.push(num(cur.rec));
      if (cur.children.length !== 1) break;
      cur = cur.children[0]!;
    }
    const kids = cur.rec === null || cur.children.length > 1 ? cur.children : [];
    const nested = kids.map((c) => `(${inner(c)})`).join("");
    if (nums.length === 0) return nested;
    return nums.join(" ") + (nested ? ` ${nested}` : "");
  };
  return roots.map((r) => `(${inner(r)})`).join("");
}
