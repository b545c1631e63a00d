// A counting semaphore: at most `limit` holders; waiters are served in arrival order.
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }

  get inUse(): number {
    return this.active;
  }
}

/** One semaphore per key (destination domain), dropped when nobody holds or waits for it. */
export class KeyedSemaphore {
  private readonly map = new Map<string, { sem: Semaphore; users: number }>();
  constructor(readonly limit: number) {}

  async acquire(key: string): Promise<() => void> {
    let e = this.map.get(key);
    if (!e) {
      e = { sem: new Semaphore(this.limit), users: 0 };
      this.map.set(key, e);
    }
    e.users++;
    const entry = e;
    const release = await entry.sem.acquire();
    return () => {
      release();
      entry.users--;
      if (entry.users === 0) this.map.delete(key);
    };
  }
}
