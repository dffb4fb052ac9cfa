/**
 * The SSRF guard of every outbound call to a URL a workspace admin configured (webhook and Slack endpoints,
 * playbook actions, bug trackers). Two checks:
 *
 * - when the URL is saved: http(s) only, no credentials in the URL, and a host that is not a private,
 *   loopback, link-local, multicast or unspecified address (IPv4 and IPv6, IPv4-mapped IPv6 included; the
 *   WHATWG URL parser has already turned `2130706433` or `0x7f.1` into `127.0.0.1`) nor `localhost`;
 * - when it is called: the host name is resolved (`dns.lookup`, all addresses) and the connection is made to
 *   the checked addresses only, so a name that resolves (or re-binds) to a private address is refused.
 *
 * Self-hosters who post to internal services list those hosts or ranges in the allow-list
 * (`DESKMIND_OUTBOUND_ALLOW`).
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { DeskmindError } from '../domain/errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed allow-list: host names (exact, or `*.suffix`), address ranges, or everything (`*`). */
export interface AllowList {
  any: boolean;
  hosts: Set<string>;
  suffixes: string[];
  ranges: [Address, number][];
}

/** Resolves a host name to every address (the shape of `dns.promises.lookup` with `all: true`). */
export type ResolveAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: ResolveAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Why an outbound URL or address was refused (thrown at call time; `code` says it is a policy refusal). */
export class OutboundRefusedError extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';
  constructor(readonly reason: string) {
    super(`outbound call refused: ${reason}`);
    this.name = 'OutboundRefusedError';
  }
}

/** The refusal somewhere in an error's `cause` chain (fetch wraps connection errors), or null. */
export function outboundRefusal(err: unknown): OutboundRefusedError | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundRefusedError) return e;
  }
  return null;
}

const hostOf = (hostname: string) =>
  hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');

/**
 * Parses allow-list entries: an address (`127.0.0.1`, `::1`), a CIDR range (`10.0.0.0/8`, `fd00::/8`), a
 * host name (`hooks.internal`), every subdomain of one (`*.corp.example`), or `*` (every address).
 * Throws on an entry that is none of these.
 * @example parseAllowList(['127.0.0.1', '10.0.0.0/8', 'hooks.internal'])
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const list: AllowList = { any: false, hosts: new Set(), suffixes: [], ranges: [] };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') list.any = true;
    else if (entry.includes('/') && ipaddr.isValidCIDR(entry)) {
      const [addr, bits] = ipaddr.parseCIDR(entry);
      // ::ffff:a.b.c.d/n is the IPv4 range it carries (addresses are judged in their IPv4 form).
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
        list.ranges.push([(addr as ipaddr.IPv6).toIPv4Address(), bits - 96]);
      else list.ranges.push([addr, bits]);
    } else if (isIP(hostOf(entry))) {
      const parsed = ipaddr.parse(hostOf(entry));
      const addr =
        parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
          ? (parsed as ipaddr.IPv6).toIPv4Address()
          : parsed;
      list.ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(entry)) {
      if (entry.startsWith('*.')) list.suffixes.push(hostOf(entry.slice(1)));
      else list.hosts.add(hostOf(entry));
    } else throw new Error(`Outbound allow-list: "${raw}" is not an address, a CIDR range or a host name`);
  }
  return list;
}

const inRange = (addr: Address, [range, bits]: [Address, number]) =>
  addr.kind() === range.kind() && addr.match(range, bits);

/**
 * Why an address may not be called, or null when it is a public unicast address (or allowed). IPv4-mapped
 * IPv6 addresses are judged as the IPv4 address they carry.
 * @example addressProblem('169.254.169.254', parseAllowList([])) // 'link-local address 169.254.169.254'
 */
export function addressProblem(address: string, allow: AllowList): string | null {
  if (!isIP(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.parse(address);
  // ::ffff:a.b.c.d is judged (and allow-listed) as a.b.c.d.
  const addr: Address =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  const range = addr.range();
  if (range === 'unicast' || allow.any || allow.ranges.some((r) => inRange(addr, r))) return null;
  const label = RANGE_LABELS[range] ?? `special-purpose (${range})`;
  return `${label} address ${addr.toString()}`;
}

const RANGE_LABELS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT (shared)',
  private: 'private',
  uniqueLocal: 'unique-local (private)',
  reserved: 'reserved',
  deprecatedSiteLocal: 'site-local',
};

const hostAllowed = (host: string, allow: AllowList) =>
  allow.any || allow.hosts.has(host) || allow.suffixes.some((s) => host.endsWith(s));

/**
 * Why a URL may not be saved as an outbound destination, or null. Checks what can be known without DNS:
 * the scheme, credentials, an address literal, and `localhost` names.
 * @example urlProblem('http://0x7f.1/', parseAllowList([])) // 'loopback address 127.0.0.1'
 */
export function urlProblem(url: string, allow: AllowList): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `the scheme ${u.protocol.replace(/:$/, '')} is not allowed (http or https only)`;
  if (u.username || u.password) return 'credentials in the URL are not allowed';
  const host = hostOf(u.hostname);
  if (!host) return 'the URL has no host';
  if (hostAllowed(host, allow)) return null;
  if (isIP(host)) return addressProblem(host, allow);
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback name`;
  return null;
}

/** What the outbound calls of one process use, built once from the configuration. */
export interface OutboundGuard {
  readonly allow: AllowList;
  /** Why a URL may not be saved, or null (see `urlProblem`). */
  problem(url: string): string | null;
  /** Throws `outbound_url_refused` (422) when a URL may not be saved; `field` names it in the answer. */
  assertAllowed(url: string, field?: string): void;
  /** Resolves a URL's host and throws `OutboundRefusedError` when an address is refused (for SDKs that cannot take
   * `fetch`). */
  checkResolved(url: string): Promise<void>;
  /** A `fetch` that refuses refused URLs and connects only to addresses it checked after resolving the host. */
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * The guard for an allow-list (checked here, once: a bad entry throws). `resolve` replaces DNS (tests).
 * @example
 * const guard = createOutboundGuard({ allow: ['10.0.0.0/8'] });
 * await guard.fetch('https://hooks.example.com/x', { method: 'POST' })
 */
export function createOutboundGuard(opts: { allow: readonly string[]; resolve?: ResolveAll }): OutboundGuard {
  const allow = parseAllowList(opts.allow);
  const resolve = opts.resolve ?? systemResolve;

  /** Every address of a host, or a refusal when any of them is refused (a mixed answer is a rebinding trick). */
  async function checkedAddresses(hostname: string): Promise<{ address: string; family: number }[]> {
    const host = hostOf(hostname);
    if (isIP(host)) {
      const problem = hostAllowed(host, allow) ? null : addressProblem(host, allow);
      if (problem) throw new OutboundRefusedError(problem);
      return [{ address: host, family: isIP(host) }];
    }
    const addresses = await resolve(host);
    if (!addresses.length) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
    if (!hostAllowed(host, allow)) {
      for (const a of addresses) {
        const problem = addressProblem(a.address, allow);
        if (problem) throw new OutboundRefusedError(`${host} resolves to a ${problem}`);
      }
    }
    return addresses;
  }

  // net/tls.connect call this for host names; the socket connects to what it returns, nothing else.
  const lookup: LookupFunction = (hostname, options, callback) => {
    checkedAddresses(hostname).then(
      (addresses) => {
        const wanted =
          options.family === 4 || options.family === 6
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        const list = wanted.length ? wanted : addresses;
        if (options.all)
          (callback as unknown as (err: null, list: { address: string; family: number }[]) => void)(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
  const connect = buildConnector({ lookup } as buildConnector.BuildOptions);
  const agent = new Agent({
    // Address literals (also in redirects) never reach `lookup`: they are checked here.
    connect: (options, callback) => {
      const host = hostOf(options.hostname);
      const problem = isIP(host) && !hostAllowed(host, allow) ? addressProblem(host, allow) : null;
      if (problem) return callback(new OutboundRefusedError(problem), null);
      return connect(options, callback);
    },
  });

  const guardedFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    if (input instanceof Request) throw new TypeError('the outbound guard takes a URL and options, not a Request');
    const url = typeof input === 'string' ? input : input.toString();
    const problem = urlProblem(url, allow);
    if (problem) throw new TypeError('fetch failed', { cause: new OutboundRefusedError(problem) });
    return undiciFetch(url, { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1]);
  }) as unknown as typeof fetch;

  return {
    allow,
    problem: (url) => urlProblem(url, allow),
    assertAllowed(url, field = 'url') {
      const problem = urlProblem(url, allow);
      if (problem)
        throw new DeskmindError(
          'outbound_url_refused',
          `${field}: ${problem}. Allow private destinations with DESKMIND_OUTBOUND_ALLOW.`,
          { issues: [{ path: field, message: problem }] },
        );
    },
    async checkResolved(url) {
      const problem = urlProblem(url, allow);
      if (problem) throw new OutboundRefusedError(problem);
      await checkedAddresses(new URL(url).hostname);
    },
    fetch: guardedFetch,
    close: () => agent.close(),
  };
}
