// Live updates: the JMAP EventSource (RFC 8620 7.3). The browser reconnects by itself after a
// network error; a closed stream (e.g. 401 after the session ended) is reported once.
export interface StateChange {
  changed: Record<string, Record<string, string>>;
}

export function subscribePush(
  url: string,
  handlers: { onChange(c: StateChange): void; onOnline(online: boolean): void; onClosed(): void },
): () => void {
  const es = new EventSource(url, { withCredentials: true });
  es.addEventListener("state", (e) => {
    try {
      handlers.onChange(JSON.parse((e as MessageEvent<string>).data) as StateChange);
    } catch {
      // a malformed event is ignored; the next one carries the full state again
    }
  });
  es.onopen = () => handlers.onOnline(true);
  es.onerror = () => {
    handlers.onOnline(false);
    if (es.readyState === EventSource.CLOSED) handlers.onClosed();
  };
  return () => es.close();
}
