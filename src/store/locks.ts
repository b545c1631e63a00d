// Exclusive locks held for the length of a session, e.g. RFC 1939 §8's lock on a POP3 maildrop.
// Three implementations of one contract (src/store/locks-contract.ts):
//   MemoryLocks (here)              one process, the embedded default
//   RedisLocks (src/cluster/)       several nodes on one Redis: SET NX PX with a random token,
//                                   renewed while held, released by compare-and-delete
//   the workers' supervisor (src/workers/), over IPC, for `serve --workers N` without Redis
// A shared lock has a lease (ttlMs): its holder renews it while the session lives, so a node that
// dies holding one (kill -9, power loss) frees it once the lease runs out instead of forever.

export interface LockHandle {
  /** Give the lock back; later calls do nothing. Never throws: a lock the service cannot reach
   *  is freed by its lease running out. */
  release(): Promise<void>;
  /** False once the lock was released, or found taken by another holder or gone on renewal (its
   *  lease ran out while the service was unreachable): the holder should end what it guards. */
  readonly held: boolean;
}

export interface LockService {
  /** Take the lock named `name` (e.g. "pop3:maildrop:42"); null when another holder has it.
   *  Throws StoreUnavailableError when the shared service cannot be reached: the caller answers
   *  a temporary failure (POP3 -ERR [SYS/TEMP]), never takes the lock as free. */
  acquire(name: string): Promise<LockHandle | null>;
  /** Stop renewing (held locks are released) and close connections. */
  close(): Promise<void>;
}

/** The name of the POP3 maildrop lock of one account (RFC 1939 §8), the same on every node. */
export function maildropLockName(accountId: number): string {
  return `pop3:maildrop:${accountId}`;
}

/** In-process locks: no lease needed, the process that holds them is the one that would die. */
export class MemoryLocks implements LockService {
  private readonly held = new Set<string>();

  async acquire(name: string): Promise<LockHandle | null> {
    if (this.held.has(name)) return null;
    this.held.add(name);
    const locks = this.held;
    let held = true;
    return {
      get held() {
        return held;
      },
      async release() {
        if (!held) return;
        held = false;
        locks.delete(name);
      },
    };
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}
