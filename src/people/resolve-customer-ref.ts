import { randomUUID } from 'node:crypto';
import { and, eq, or } from 'drizzle-orm';
import { DeskmindError, notFound } from '../domain/errors.js';
import type { Customer, CustomerPatch, CustomerRef } from '../domain/schemas.js';
import { anyOf, bulkInsert } from '../store/bulk.js';
import { accounts, customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { customerColumns, toCustomer } from './customer-rows.js';
import { updateCustomer } from './update-customer.js';

/** Finds the customer a ticket names, creating them when they are new. Known fields are filled in, never erased. */
export async function resolveCustomerRef(ctx: Ctx, ref: CustomerRef): Promise<Customer> {
  const [customer] = await resolveCustomerRefs(ctx, [ref]);
  return customer!;
}

/** A person named by one or more refs of a group: a stored customer (maybe with fields to fill in) or a new one. */
interface Person {
  stored: Customer | null;
  email: string | null;
  externalId: string | null;
  name: string | null;
  locale: string | null;
  hasAccount: boolean;
  accountExternalId: string | null;
  fill: CustomerPatch;
}

const uniq = <T>(list: T[]) => [...new Set(list)];

/**
 * `resolveCustomerRef` for many refs at once, as if they were resolved one after another: one read finds the
 * stored customers, the new ones are inserted in one statement, and refs naming the same new person get the
 * same customer. Returns one customer per ref, in order. Call inside a transaction (all or nothing).
 */
export async function resolveCustomerRefs(ctx: Ctx, refs: CustomerRef[]): Promise<Customer[]> {
  const ids = uniq(refs.flatMap((r) => (r.id ? [r.id] : [])));
  const externalIds = uniq(refs.flatMap((r) => (!r.id && r.externalId ? [r.externalId] : [])));
  const emails = uniq(refs.flatMap((r) => (!r.id && r.email ? [r.email] : [])));
  const conds = [
    ids.length ? anyOf(customers.id, ids) : undefined,
    externalIds.length ? anyOf(customers.externalId, externalIds) : undefined,
    emails.length ? anyOf(customers.email, emails) : undefined,
  ].filter((c) => c !== undefined);
  const rows = conds.length
    ? await ctx.db
        .select()
        .from(customers)
        .where(and(eq(customers.workspaceId, ctx.workspaceId), or(...conds)))
    : [];
  const people: Person[] = [];
  // The first person (stored ones first, then new ones in order) with each id, external id and email.
  const byId = new Map<string, Person>();
  const byExternalId = new Map<string, Person>();
  const byEmail = new Map<string, Person>();
  const index = (p: Person) => {
    if (p.stored && !byId.has(p.stored.id)) byId.set(p.stored.id, p);
    if (p.externalId && !byExternalId.has(p.externalId)) byExternalId.set(p.externalId, p);
    if (p.email && !byEmail.has(p.email)) byEmail.set(p.email, p);
  };
  for (const c of rows.map(toCustomer)) {
    const person: Person = {
      stored: c,
      email: c.email,
      externalId: c.externalId,
      name: c.name,
      locale: c.locale,
      hasAccount: c.accountId !== null,
      accountExternalId: null,
      fill: {},
    };
    people.push(person);
    index(person);
  }
  const named: Person[] = [];
  for (const ref of refs) {
    if (ref.id) {
      const person = byId.get(ref.id);
      if (!person) throw notFound('Customer', ref.id);
      named.push(person);
      continue;
    }
    // As findCustomer: the external id match wins over the email match.
    const person =
      (ref.externalId ? byExternalId.get(ref.externalId) : undefined) ??
      (ref.email ? byEmail.get(ref.email) : undefined);
    if (!person) {
      const fresh: Person = {
        stored: null,
        email: ref.email ?? null,
        externalId: ref.externalId ?? null,
        name: ref.name ?? null,
        locale: ref.locale ?? null,
        hasAccount: false,
        accountExternalId: ref.accountExternalId ?? null,
        fill: {},
      };
      people.push(fresh);
      index(fresh);
      named.push(fresh);
      continue;
    }
    // Known fields are filled in, never erased.
    for (const field of ['name', 'email', 'externalId', 'locale'] as const) {
      const value = ref[field];
      if (value && !person[field]) {
        person[field] = value;
        person.fill[field] = value;
      }
    }
    index(person);
    if (ref.accountExternalId && !person.hasAccount && !person.accountExternalId) {
      person.accountExternalId = ref.accountExternalId;
      person.fill.accountExternalId = ref.accountExternalId;
    }
    named.push(person);
  }
  const fresh = people.filter((p) => p.stored === null);
  if (fresh.length) {
    const accountRefs = uniq(fresh.flatMap((p) => (p.accountExternalId ? [p.accountExternalId] : [])));
    const found = accountRefs.length
      ? await ctx.db
          .select({ id: accounts.id, externalId: accounts.externalId })
          .from(accounts)
          .where(and(eq(accounts.workspaceId, ctx.workspaceId), anyOf(accounts.externalId, accountRefs)))
      : [];
    const accountIds = new Map(found.map((a) => [a.externalId, a.id]));
    const values = fresh.map((p) => {
      const accountId = p.accountExternalId ? accountIds.get(p.accountExternalId) : null;
      if (accountId === undefined) {
        throw new DeskmindError('validation_failed', `No account has externalId ${p.accountExternalId}`, {
          issues: [{ path: 'accountExternalId', message: 'unknown account' }],
        });
      }
      return {
        id: randomUUID(),
        workspaceId: ctx.workspaceId,
        email: p.email,
        externalId: p.externalId,
        name: p.name,
        locale: p.locale,
        accountId,
        attributes: {},
      };
    });
    const inserted = await mapUnique('A customer with this email or externalId', () =>
      bulkInsert(ctx.db, customers, values, { returning: customerColumns }),
    );
    const byId = new Map(inserted.map((r) => [r.id, toCustomer(r)]));
    fresh.forEach((p, i) => {
      p.stored = byId.get(values[i]!.id)!;
      p.fill = {}; // its fields were inserted as they are
    });
  }
  for (const p of people) {
    if (p.stored && Object.keys(p.fill).length) p.stored = await updateCustomer(ctx, p.stored.id, p.fill);
  }
  return named.map((p) => p.stored!);
}
