/*
 * Preloaded (node --import) into a process under test, and so into its worker threads:
 * every attempt to reach the network through Node (TCP and TLS sockets, HTTP(S) and fetch,
 * which use them, DNS, UDP) is appended to the file named by LOUPE_NETWORK_LOG and refused.
 * Local (Unix) sockets pass. Native code bypasses Node, which is why the air-gap test also
 * traces system calls where it can. Plain JavaScript: workers load it before any TypeScript loader.
 */
import { appendFileSync } from 'node:fs';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { threadId } from 'node:worker_threads';

const log = process.env.LOUPE_NETWORK_LOG;
if (!log) throw new Error('network-guard: set LOUPE_NETWORK_LOG to the file attempts are written to');

function attempt(what, target) {
  const detail = JSON.stringify(target, (_k, v) => (typeof v === 'function' ? undefined : v)) ?? String(target);
  appendFileSync(log, `${JSON.stringify({ pid: process.pid, thread: threadId, what, target: detail.slice(0, 300) })}\n`);
  return new Error(`network-guard: ${what} refused (the workstation must not reach the network)`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = args[0];
  const local = typeof first === 'string' || (typeof first === 'object' && first !== null && typeof first.path === 'string');
  if (!local) throw attempt('socket connect', first);
  return connect.apply(this, args);
};

for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'reverse']) {
  dns[name] = (...args) => {
    throw attempt(`dns.${name}`, args[0]);
  };
  dns.promises[name] = (...args) => Promise.reject(attempt(`dns.promises.${name}`, args[0]));
}
for (const proto of [dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
  for (const name of Object.getOwnPropertyNames(proto).filter((n) => /^(resolve|reverse)/.test(n))) {
    proto[name] = (...args) => {
      throw attempt(`dns.Resolver.${name}`, args[0]);
    };
  }
}

for (const name of ['send', 'connect']) {
  dgram.Socket.prototype[name] = (...args) => {
    throw attempt(`udp ${name}`, args.slice(1, 3));
  };
}
