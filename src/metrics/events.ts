// What the server tells its observers (issue 21): one typed call per event, made where the event
// happens (a listener accepts, a login is decided, the post office answers, a delivery attempt
// ends, the store commits). Two observers listen: the Prometheus registry behind /metrics
// (src/metrics/prometheus.ts) and the stored hourly counters the admin charts draw
// (src/stats/). A call site knows neither; `fanOut` gives each event to both. Every method must
// be cheap and must not throw: it runs on the request path.

export type ProtocolName = "smtp" | "submission" | "imap" | "pop3" | "managesieve" | "http";
export type LoginResult = "ok" | "failed" | "throttled";
/** The door a message came in by (src/postoffice Door). */
export type MessageDoor = "inbound" | "submission" | "jmap" | "system" | "redirect";
/** Why a message was refused: the post-office stage or SMTP check that said no. */
export type RejectReason =
  | "spam"
  | "virus"
  | "auth" // SPF/DKIM/DMARC policy
  | "dnsbl"
  | "greylist"
  | "policy" // relay, sender, size, recipient unknown, sending limits
  | "sieve"
  | "other";
export type DeliveryResult = "delivered" | "deferred" | "bounced";
export type DestinationClass = "local" | "remote";

export interface MetricEvents {
  /** A connection accepted on a listener (after the connection caps let it in). */
  connection(protocol: ProtocolName): void;
  /** One command handled (its verb upper-cased, e.g. "FETCH", "RCPT"; unknown verbs as "UNKNOWN"). */
  command(protocol: ProtocolName, verb: string): void;
  login(protocol: ProtocolName, result: LoginResult): void;
  /** A message acknowledged as durable (250 after DATA, APPEND is not a message in this sense). */
  messageAccepted(door: MessageDoor): void;
  messageRejected(door: MessageDoor, reason: RejectReason): void;
  /** The spam filter's verdict for an inbound message: "ham", "junk" (filed to Junk), "rejected". */
  spamVerdict(verdict: "ham" | "junk" | "rejected"): void;
  virusFound(): void;
  /** One recipient's delivery attempt ended: locally filed, or a remote attempt's result. */
  delivery(result: DeliveryResult, destination: DestinationClass): void;
  /** A store write transaction committed (group commit), its duration and its fsync's. */
  storeCommit(seconds: number, fsyncSeconds: number): void;
}

/** Observes nothing (tests and tools that start no observer). */
export const noMetrics: MetricEvents = {
  connection() {},
  command() {},
  login() {},
  messageAccepted() {},
  messageRejected() {},
  spamVerdict() {},
  virusFound() {},
  delivery() {},
  storeCommit() {},
};

/** Every event to each observer in turn; one observer's exception never reaches the caller. */
export function fanOut(observers: readonly MetricEvents[], onError: (e: unknown) => void): MetricEvents {
  const out = {} as MetricEvents;
  for (const key of Object.keys(noMetrics) as (keyof MetricEvents)[]) {
    (out as unknown as Record<string, (...a: unknown[]) => void>)[key] = (...args: unknown[]) => {
      for (const o of observers) {
        try {
          (o[key] as (...a: unknown[]) => void)(...args);
        } catch (e) {
          onError(e);
        }
      }
    };
  }
  return out;
}
