// [proxy] section: the PROXY protocol (HAProxy's proxy-protocol.txt, v1 and v2) on the listeners
// that set proxyProtocol = true — who may send the header, and how long and large it may be.
import { int, strList } from "../config/dsl.js";
import { trustedSourcesProblem } from "./trusted.js";

export const proxySection = {
  trustedSources: strList(
    [],
    'Load balancers allowed to connect to a listener with proxyProtocol = true, as addresses or CIDR prefixes ("10.0.0.0/8", "2001:db8::/32"). A connection from anywhere else to such a listener is closed without a byte sent (and logged): a client must not be able to claim any address it likes. Empty by default, which closes every connection to a proxyProtocol listener.',
    trustedSourcesProblem,
  ),
  headerTimeoutMs: int(
    3000,
    "Longest wait for the whole PROXY header after a trusted connection opens; past it the connection is closed. The balancer sends it at once, so only a broken or hostile peer waits.",
    { min: 100, max: 60000 },
  ),
  maxV2Bytes: int(
    2048,
    "Largest PROXY v2 header accepted, signature and TLVs included (the format allows 65,551 octets; HAProxy sends well under 512). A longer one closes the connection before its body is read.",
    { min: 232, max: 65551 },
  ),
};
