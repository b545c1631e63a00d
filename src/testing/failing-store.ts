// A database outage on a real store, for tests of what each protocol answers then (issue 17):
// one chosen method of one area of a live store (SQLite or PostgreSQL, as the server runs it)
// rejects with StoreUnavailableError — what the PostgreSQL store throws when the database is
// down — for its next `times` calls or until lift(); everything else works as before.
import { StoreUnavailableError } from "../store/errors.js";
import type { Store } from "../store/types.js";

type Area = Exclude<keyof Store, "close">;

export interface StoreFault {
  /** Calls refused so far. */
  readonly refused: number;
  /** The method works again (also after `times` refusals). */
  lift(): void;
}

/** Makes store[area][method] (an async method) fail; `times` refusals (default: until lift()). */
export function failingStore<A extends Area>(
  store: Store,
  area: A,
  method: keyof Store[A] & string,
  opts: { times?: number } = {},
): StoreFault {
  const target = store[area] as unknown as Record<string, unknown>;
  const original = target[method];
  if (typeof original !== "function") throw new Error(`store.${area}.${method} is not a method`);
  const own = Object.hasOwn(target, method);
  let refused = 0;
  let lifted = false;
  const lift = () => {
    if (lifted) return;
    lifted = true;
    if (own) target[method] = original;
    else delete target[method];
  };
  target[method] = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (lifted) return Promise.resolve((original as (...a: unknown[]) => unknown).apply(this, args));
    refused++;
    if (opts.times !== undefined && refused >= opts.times) lift();
    return Promise.reject(new StoreUnavailableError(`database unavailable (test: store.${area}.${method})`));
  };
  return {
    get refused() {
      return refused;
    },
    lift,
  };
}
