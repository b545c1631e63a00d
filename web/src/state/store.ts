// The webmail's state containers: a value, replaced (never mutated) by its module's actions, and
// the views that render it subscribed to changes. Plain TypeScript, no Preact: the state modules
// run and are tested in Node; ui/use-store.ts connects a view.
export class Store<T extends object> {
  private listeners = new Set<() => void>();

  constructor(private value: T) {}

  get state(): T {
    return this.value;
  }

  /** Replace some fields and tell the subscribers (a new object: views compare by identity). */
  protected set(patch: Partial<T>): void {
    this.value = { ...this.value, ...patch };
    for (const fn of [...this.listeners]) fn();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }
}
