// The locks of a worker (serve --workers N without Redis): held by the supervisor, which frees a
// dead worker's locks itself (hub.ts), so they need no lease or renewal.
import { HeldLocks } from "../store/lock-handles.js";
import type { LockHandle, LockService } from "../store/locks.js";
import type { IpcChannel } from "./ipc-channel.js";

export class IpcLocks implements LockService {
  private readonly mine = new HeldLocks<IpcLockHandle>();

  constructor(private readonly channel: IpcChannel) {}

  async acquire(name: string): Promise<LockHandle | null> {
    const token = await this.channel.call("lock.acquire", name);
    if (token === null) return null;
    return this.mine.add((forget) => new IpcLockHandle(name, token, this.channel, forget));
  }

  async close(): Promise<void> {
    await this.mine.releaseAll();
  }
}

class IpcLockHandle implements LockHandle {
  private released = false;

  constructor(
    private readonly name: string,
    private readonly token: number,
    private readonly channel: IpcChannel,
    private readonly forget: () => void,
  ) {}

  get held(): boolean {
    return !this.released;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.forget();
    // Never throws: if the supervisor cannot be reached, this worker is going down with it, and
    // the supervisor frees a dead worker's locks.
    await this.channel.call("lock.release", this.name, this.token).catch(() => {});
  }
}
