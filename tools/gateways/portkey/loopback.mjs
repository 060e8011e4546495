// Preloaded into the Portkey gateway with `node --import ./loopback.mjs`.
//
// Portkey's start-server has a --port flag but no listen-address flag: it calls
// server.listen(port) with no host, so Node binds every interface (:: and 0.0.0.0). This
// preload gives every TCP listen() call that names no host the address in $PORTKEY_BIND
// (default 127.0.0.1), so the gateway is reachable from this machine only. A listen() call
// that names a host, or a Unix socket path, is left alone.
import net from "node:net";

const host = process.env.PORTKEY_BIND || "127.0.0.1";
const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listen(...args) {
  const first = args[0];
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback])
    if (args.length === 1 || typeof args[1] === "function") {
      args.splice(1, 0, host);
    } else if (args[1] === undefined || args[1] === null) {
      args[1] = host;
    }
  } else if (first && typeof first === "object" && !first.path && !first.host && !first.fd && !first._handle) {
    // listen({ port, ... }[, callback])
    args[0] = { ...first, host };
  }
  return originalListen.apply(this, args);
};
