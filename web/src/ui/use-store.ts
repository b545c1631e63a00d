// A view reads a state module's store and re-renders when it changes.
import { useEffect, useState } from "preact/hooks";

interface Subscribable {
  subscribe(fn: () => void): () => void;
}

/** Re-render on every change of the store; the caller reads its state as it renders. */
export function useStore<S extends Subscribable>(store: S): S {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((n) => n + 1)), [store]);
  return store;
}
