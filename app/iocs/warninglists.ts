import ipaddr from 'ipaddr.js'
import data from './warninglists.json'
import { normalise, type IndicatorType } from './normalise.ts'

// Warninglists: known-benign values that warn, never block (../shared/domain.md §4). The shipped
// lists are data (warninglists.json); matching is by exact canonical value, by CIDR containment
// (an address inside, or a network wholly inside, a listed range) and by hostname suffix (the
// listed domain and its subdomains, for domains, URL hosts and e-mail domains).

export type WarninglistMatchKind = 'exact' | 'cidr' | 'hostname'

export interface Warninglist {
  id: string
  match: WarninglistMatchKind
  values: readonly string[]
}

interface CompiledList {
  id: string
  exact: Set<string>
  ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>
  hostnames: Set<string>
}

export interface WarninglistMatcher {
  /** Ids of the lists the canonical value is on, in list order; empty when it is on none. */
  match(type: IndicatorType, value: string): string[]
}

export function compileWarninglists(lists: readonly Warninglist[]): WarninglistMatcher {
  const compiled: CompiledList[] = lists.map((list) => {
    const c: CompiledList = { id: list.id, exact: new Set(), ranges: [], hostnames: new Set() }
    for (const raw of list.values) {
      if (list.match === 'cidr') {
        const n = normalise('cidr', raw)
        if (!n.ok) throw new Error(`warninglist ${list.id}: ${raw} is not a CIDR range (${n.reason})`)
        c.ranges.push(ipaddr.parseCIDR(n.value))
      } else if (list.match === 'hostname') {
        // Single labels ("localhost", "test") are reserved top-level names, valid as suffixes.
        c.hostnames.add(raw.toLowerCase().replace(/\.$/, ''))
      } else {
        c.exact.add(raw)
      }
    }
    return c
  })
  return {
    match(type, value) {
      const address = addressOf(type, value)
      const host = hostOf(type, value)
      // Once per value, not once per list: an import matches every one of its lines.
      const hostSuffixes = host === null ? [] : suffixes(host)
      const ids: string[] = []
      for (const list of compiled) {
        if (
          list.exact.has(value) ||
          (address !== null && list.ranges.length > 0 && list.ranges.some((range) => within(address, range))) ||
          (list.hostnames.size > 0 && hostSuffixes.some((s) => list.hostnames.has(s)))
        ) {
          ids.push(list.id)
        }
      }
      return ids
    },
  }
}

export const builtinWarninglists: readonly Warninglist[] = data.lists as Warninglist[]
export const warninglists = compileWarninglists(builtinWarninglists)

/** An address or network to test for containment: [address, prefix length]. */
function addressOf(type: IndicatorType, value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  if (type === 'ipv4' || type === 'ipv6') {
    const addr = ipaddr.parse(value)
    return [addr, addr.kind() === 'ipv4' ? 32 : 128]
  }
  if (type === 'cidr') return ipaddr.parseCIDR(value)
  if (type === 'url') {
    // http://10.0.0.1/ is as private as 10.0.0.1.
    const host = new URL(value).hostname.replace(/^\[(.*)\]$/, '$1')
    return ipaddr.isValid(host) && /[.:]/.test(host) && !/^\d+$/.test(host) ? addressOf(host.includes(':') ? 'ipv6' : 'ipv4', host) : null
  }
  return null
}

function within([addr, prefix]: [ipaddr.IPv4 | ipaddr.IPv6, number], range: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  // An IPv4-mapped IPv6 address is the IPv4 address for matching purposes.
  const a = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr
  const p = a === addr ? prefix : Math.max(0, prefix - 96)
  return a.kind() === range[0].kind() && p >= range[1] && a.match(range)
}

function hostOf(type: IndicatorType, value: string): string | null {
  if (type === 'domain') return value
  if (type === 'email') return value.slice(value.lastIndexOf('@') + 1)
  if (type === 'url') return new URL(value).hostname
  return null
}

/** "a.b.example.com" → ["a.b.example.com", "b.example.com", "example.com", "com"]. */
function suffixes(host: string): string[] {
  const labels = host.split('.')
  return labels.map((_, i) => labels.slice(i).join('.'))
}
