// Acknowledge now what a client sent, when its command is not complete yet (issue 20).
//
// A client that sends a synchronizing literal ({n}, RFC 9051 7.5) writes the literal and then
// the rest of the command (often just CRLF) in two writes. Its kernel's Nagle algorithm (RFC 896)
// holds the second, small write until the first is acknowledged; ours delays that ACK (RFC 1122
// 4.2.3.2, on Linux 40 ms at least) because the server has nothing to send until the command is
// complete. Every APPEND by Python's imaplib took 44 ms instead of 1 ms. TCP_NODELAY on our side
// cannot help: the segment that waits is the client's. Dovecot sets TCP_QUICKACK; so do we,
// right after reading part of a command, which makes Linux send the pending ACK at once
// (tcp(7): TCP_QUICKACK "acks are sent immediately") and so releases the client's held write.
//
// Node has no setsockopt, hence the `sockopt` addon (prebuilt for linux-x64/arm64). Elsewhere
// (another OS, or the addon missing) quickAck does nothing: the stall is back, nothing breaks.
import { createRequire } from "node:module";
import type { Socket } from "node:net";

const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12; // Linux <netinet/tcp.h>

interface SockOpt {
  setsockopt(socket: Socket, level: number, name: number, value: number): void;
  getsockopt(socket: Socket, level: number, name: number): number;
}

function load(): SockOpt | null {
  if (process.platform !== "linux") return null;
  try {
    return createRequire(import.meta.url)("sockopt") as SockOpt;
  } catch {
    return null;
  }
}

// Called through the module object (not a copy of its function), so a test can watch the calls.
const sockopt = load();

/** Whether quickAck does anything on this system (Linux with the addon loaded). */
export const quickAckAvailable = sockopt !== null;

/** A socket's descriptor, or -1 (not yet connected, closed). A TLSSocket over a TCP socket
 *  exposes the TCP socket's descriptor too. */
function fdOf(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === "number" ? fd : -1;
}

/** Send the ACK for everything read from `socket` so far now, instead of after the delayed-ACK
 *  timer. Costs one system call; never throws (a socket closed meanwhile is simply skipped). */
export function quickAck(socket: Socket): void {
  if (!sockopt || fdOf(socket) < 0) return;
  try {
    sockopt.setsockopt(socket, IPPROTO_TCP, TCP_QUICKACK, 1);
  } catch {
    // EBADF/ENOTSOCK after a close racing this call: nothing left to acknowledge.
  }
}

/** TCP_QUICKACK as Linux reports it: 1 when the socket is not in delayed-ACK ("pingpong") mode.
 *  For tests; null when unavailable. */
export function quickAckState(socket: Socket): number | null {
  if (!sockopt || fdOf(socket) < 0) return null;
  return sockopt.getsockopt(socket, IPPROTO_TCP, TCP_QUICKACK);
}
