// The client a connection is for: the socket's peer, or the one a PROXY header named. accept.ts
// records the header's addresses on the accepted socket itself (its remoteAddress and
// remotePort, so code that reads them there needs no change); a TLSSocket made over that socket
// (implicit TLS, STARTTLS, HTTPS) has its own, read from the kernel, so code that may hold one
// asks clientAddress/clientPort here.
import { Socket } from "node:net";
import type { Endpoint } from "./header.js";
import { plainIp } from "./trusted.js";

/** Node's TLSSocket keeps the socket it wraps as `_parent` (lib/_tls_wrap.js); the HTTPS and
 *  implicit-TLS tests through HAProxy (proxy.test.ts) fail if that ever changes. */
function accepted(socket: Socket): Socket {
  const parent = (socket as Socket & { _parent?: unknown })._parent;
  return parent instanceof Socket ? parent : socket;
}

/** The client's IP address ("::ffff:" IPv4 form unwrapped); "" if the socket has none. */
export function clientAddress(socket: Socket): string {
  return plainIp(accepted(socket).remoteAddress ?? "");
}

export function clientPort(socket: Socket): number {
  return accepted(socket).remotePort ?? 0;
}

/** @internal (accept.ts) From now on the socket reports these addresses as its own. */
export function adoptAddresses(socket: Socket, source: Endpoint, destination: Endpoint): void {
  const fixed = (value: unknown) => ({ value, configurable: true, enumerable: true });
  Object.defineProperties(socket, {
    remoteAddress: fixed(source.address),
    remotePort: fixed(source.port),
    remoteFamily: fixed(source.address.includes(":") ? "IPv6" : "IPv4"),
    localAddress: fixed(destination.address),
    localPort: fixed(destination.port),
  });
}
