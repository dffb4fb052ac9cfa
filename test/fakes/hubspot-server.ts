/**
 * A local HubSpot CRM API following its v3 wire format: bearer private-app token, contacts read by email
 * (`idProperty=email`) with their company associations, companies by id or by a `domain` search, owners by id,
 * and HubSpot's error body (`{status: 'error', category, message}`) for unknown objects.
 */
import { serveLocally, type LocalServer } from './http.js';

export interface FakeHubspot extends LocalServer {
  contacts: { id: string; email: string; companyId: string | null }[];
  companies: { id: string; properties: Record<string, string | null> }[];
  owners: { id: string; email: string; firstName: string; lastName: string }[];
  requests: { method: string; path: string; body: any }[];
  delayMs: number;
}

export async function startHubspotServer(token: string): Promise<FakeHubspot> {
  const state = {
    contacts: [] as FakeHubspot['contacts'],
    companies: [] as FakeHubspot['companies'],
    owners: [] as FakeHubspot['owners'],
    requests: [] as FakeHubspot['requests'],
    delayMs: 0,
  };
  const server = await serveLocally((req, raw) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    state.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      body: raw ? JSON.parse(raw) : null,
    });
    const send = (status: number, body: unknown) => ({
      delayMs: state.delayMs,
      answer: (res: import('node:http').ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify(body));
      },
    });
    const missing = (what: string) =>
      send(404, {
        status: 'error',
        message: `${what} not found`,
        correlationId: '00000000-0000-4000-8000-000000000000',
        category: 'OBJECT_NOT_FOUND',
      });
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, {
        status: 'error',
        message: 'Authentication credentials not found.',
        category: 'INVALID_AUTHENTICATION',
      });
    const now = '2026-01-01T00:00:00.000Z';
    const props = (all: Record<string, string | null>) => {
      const asked = url.searchParams.getAll('properties').flatMap((p) => p.split(','));
      const wanted = asked.length ? asked : Object.keys(all);
      return Object.fromEntries(wanted.map((k) => [k, all[k] ?? null]));
    };
    let m = /^\/crm\/v3\/objects\/contacts\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const key = decodeURIComponent(m[1]!);
      const c =
        url.searchParams.get('idProperty') === 'email'
          ? state.contacts.find((x) => x.email === key)
          : state.contacts.find((x) => x.id === key);
      if (!c) return missing('Contact');
      const withAssoc = url.searchParams.get('associations')?.includes('companies') && c.companyId;
      return send(200, {
        id: c.id,
        properties: props({ email: c.email, associatedcompanyid: c.companyId, hs_object_id: c.id }),
        createdAt: now,
        updatedAt: now,
        archived: false,
        ...(withAssoc
          ? { associations: { companies: { results: [{ id: c.companyId, type: 'contact_to_company' }] } } }
          : {}),
      });
    }
    m = /^\/crm\/v3\/objects\/companies\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const c = state.companies.find((x) => x.id === m![1]);
      return c
        ? send(200, { id: c.id, properties: props(c.properties), createdAt: now, updatedAt: now, archived: false })
        : missing('Company');
    }
    if (req.method === 'POST' && url.pathname === '/crm/v3/objects/companies/search') {
      const body = JSON.parse(raw);
      const filter = body.filterGroups?.[0]?.filters?.[0];
      const found = state.companies.filter(
        (c) => filter?.operator === 'EQ' && c.properties[filter.propertyName] === filter.value,
      );
      const wanted: string[] = body.properties ?? [];
      return send(200, {
        total: found.length,
        results: found.slice(0, body.limit ?? 10).map((c) => ({
          id: c.id,
          properties: Object.fromEntries(wanted.map((k) => [k, c.properties[k] ?? null])),
          createdAt: now,
          updatedAt: now,
          archived: false,
        })),
      });
    }
    m = /^\/crm\/v3\/owners\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const o = state.owners.find((x) => x.id === m![1]);
      return o
        ? send(200, {
            id: o.id,
            email: o.email,
            firstName: o.firstName,
            lastName: o.lastName,
            userId: 1,
            createdAt: now,
            updatedAt: now,
            archived: false,
          })
        : missing('Owner');
    }
    return missing('Route');
  });
  return Object.assign(state, server) as FakeHubspot;
}
