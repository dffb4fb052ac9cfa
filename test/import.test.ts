import path from 'node:path';
import { Command, type CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerImport, type ImportCommandOptions } from '../src/cli/commands/import.js';
import type { Ctx } from '../src/store/ctx.js';
import { findAccountByExternalId } from '../src/people/find-account.js';
import { findCustomer } from '../src/people/find-customer.js';
import { getCustomer } from '../src/people/get-customer.js';
import { importFile, importText, type ImportProgress } from '../src/ingest/import.js';
import { getTicketDetail } from '../src/tickets/get-ticket.js';
import { listTickets } from '../src/tickets/list-tickets.js';
import { ROOT } from './template.js';
import { newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'import', name);

describe('import service', () => {
  let t: TestDesk;
  let workspaceId: string;
  let ctx: Ctx;

  const ticketByExternalId = async (externalId: string) => {
    const { data } = await listTickets(ctx, { limit: 200 });
    const ticket = data.find((x) => x.externalId === externalId);
    if (!ticket) throw new Error(`no ticket ${externalId}`);
    return getTicketDetail(ctx, ticket.id);
  };

  beforeAll(async () => {
    t = await openTestDesk('pglite');
    ({ workspaceId } = await newWorkspace(t));
    ctx = t.desk.ctx(workspaceId, { type: 'system', id: null });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports accounts, customers and tickets from CSV, linking customers to accounts', async () => {
    const accounts = await importFile(t.desk, workspaceId, fixture('accounts.csv'), { kind: 'accounts' });
    expect(accounts).toMatchObject({ kind: 'accounts', total: 3, created: 2, updated: 0, skipped: 0, rejected: 1 });
    expect(accounts.rejections).toEqual([{ line: 4, reason: expect.stringMatching(/^mrr: .*number/) }]);
    const acme = await findAccountByExternalId(ctx, 'acc-1');
    expect(acme).toMatchObject({
      name: 'Acme, Inc.',
      tier: 'enterprise',
      mrr: 1200.5,
      seats: 40,
      billingState: 'active',
      attributes: { region: 'emea' },
    });
    expect(await findAccountByExternalId(ctx, 'acc-2')).toMatchObject({
      name: 'Globex',
      tier: 'free',
      plan: null,
      mrr: 0,
    });

    const progress: ImportProgress[] = [];
    const customers = await importFile(t.desk, workspaceId, fixture('customers.csv'), {
      kind: 'customers',
      chunkRows: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(customers).toMatchObject({ total: 4, created: 2, rejected: 2 });
    expect(customers.rejections).toEqual([
      { line: 4, reason: expect.stringMatching(/^email: .*email/i) },
      { line: 5, reason: expect.stringContaining('No account has externalId acc-missing') },
    ]);
    expect(progress.map((p) => p.processed)).toEqual([2, 4]);
    expect(progress.at(-1)).toMatchObject({ total: 4, created: 2, rejected: 2 });
    const ada = await findCustomer(ctx, { email: 'ada@acme.test' });
    expect(ada).toMatchObject({
      externalId: 'cus-1',
      name: 'Ada Lovelace',
      accountId: acme!.id,
      attributes: { role: 'owner' },
    });

    const tickets = await importFile(t.desk, workspaceId, fixture('tickets.csv'), { kind: 'tickets' });
    expect(tickets).toMatchObject({ total: 4, created: 3, skipped: 0, rejected: 1 });
    expect(tickets.rejections).toEqual([{ line: 5, reason: 'subject: required' }]);

    const { data } = await listTickets(ctx, { limit: 50 });
    expect(data.map((x) => x.externalId).sort()).toEqual(['t-1', 't-3', 't-4']);

    // A quoted body with commas, quotes and newlines; a resolved historical ticket keeps its dates.
    const refund = await ticketByExternalId('t-1');
    expect(refund).toMatchObject({
      subject: 'Refund, please',
      status: 'resolved',
      channel: 'email',
      priority: 'high',
      tags: ['billing', 'refund'],
      intent: 'refund_request',
      intentConfidence: null,
      customerId: ada!.id,
    });
    expect(refund.createdAt.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(refund.resolvedAt?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(refund.messages).toHaveLength(1);
    expect(refund.messages[0]).toMatchObject({
      authorType: 'customer',
      text: 'Hello,\nI was charged twice, see "invoice 42".\nThanks',
    });
    expect(refund.messages[0]!.createdAt.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(refund.timeline.map((e) => e.type)).toEqual([
      'ticket.created',
      'message.created',
      'ticket.intent_changed',
      'ticket.status_changed',
      'ticket.resolved',
    ]);
    expect(refund.timeline.every((e) => e.actorType === 'integration' || e.actorType === 'customer')).toBe(true);

    // The customer named by externalId is the imported one, linked to its account.
    const login = await ticketByExternalId('t-3');
    expect(login).toMatchObject({ status: 'open', channel: 'import', priority: 'normal', tags: ['login', 'auth'] });
    expect(login.customer).toMatchObject({
      externalId: 'cus-2',
      accountId: (await findAccountByExternalId(ctx, 'acc-2'))!.id,
    });

    // closed = resolved, then closed; an unknown customer is created.
    const old = await ticketByExternalId('t-4');
    expect(old).toMatchObject({ status: 'closed' });
    expect(old.closedAt?.toISOString()).toBe('2024-12-24T12:00:00.000Z');
    expect(old.customer).toMatchObject({ email: 'new@example.test', name: 'Newbie', accountId: null });
  });

  it('is idempotent: re-importing updates accounts and customers and skips known tickets', async () => {
    const before = (await listTickets(ctx, { limit: 200 })).data.length;
    expect(await importFile(t.desk, workspaceId, fixture('accounts.csv'), { kind: 'accounts' })).toMatchObject({
      created: 0,
      updated: 2,
      rejected: 1,
    });
    expect(await importFile(t.desk, workspaceId, fixture('customers.csv'), { kind: 'customers' })).toMatchObject({
      created: 0,
      updated: 2,
      rejected: 2,
    });
    expect(await importFile(t.desk, workspaceId, fixture('tickets.csv'), { kind: 'tickets' })).toMatchObject({
      created: 0,
      skipped: 3,
      rejected: 1,
    });
    expect((await listTickets(ctx, { limit: 200 })).data).toHaveLength(before);

    // An update touches only the columns given; attributes are merged.
    const partial = await importText(t.desk, workspaceId, 'externalId,name,attr.size\nacc-1,Acme Corp,large\n', {
      kind: 'accounts',
      format: 'csv',
    });
    expect(partial).toMatchObject({ total: 1, updated: 1 });
    expect(await findAccountByExternalId(ctx, 'acc-1')).toMatchObject({
      name: 'Acme Corp',
      tier: 'enterprise',
      mrr: 1200.5,
      attributes: { region: 'emea', size: 'large' },
    });
  });

  it('imports JSONL tickets with their later messages and reports bad lines', async () => {
    const summary = await importFile(t.desk, workspaceId, fixture('tickets.jsonl'), { kind: 'tickets' });
    expect(summary).toMatchObject({ total: 4, created: 2, rejected: 2 });
    expect(summary.rejections).toEqual([
      { line: 2, reason: expect.stringMatching(/^invalid JSON/) },
      { line: 4, reason: expect.stringMatching(/^customerEmail: .*email/i) },
    ]);

    const exported = await ticketByExternalId('j-1');
    expect(exported).toMatchObject({ status: 'closed', intent: 'bug_report' });
    expect(exported.firstResponseAt?.toISOString()).toBe('2025-01-10T10:00:00.000Z');
    expect(exported.messages.map((m) => [m.authorType, m.text, m.createdAt.toISOString()])).toEqual([
      ['customer', 'CSV export times out', '2025-01-10T09:00:00.000Z'],
      ['agent', 'Looking into it', '2025-01-10T10:00:00.000Z'],
      ['customer', 'Thanks!', '2025-01-10T10:00:00.001Z'],
    ]);

    // Without a status, the ticket keeps the status its history leads to.
    const question = await ticketByExternalId('j-4');
    expect(question).toMatchObject({ status: 'open', tags: ['how-to'] });
    expect(question.customer).toMatchObject({ externalId: 'cus-9', name: 'Nine' });
    expect(question.messages.map((m) => m.authorType)).toEqual(['customer', 'agent']);

    expect(await importFile(t.desk, workspaceId, fixture('tickets.jsonl'), { kind: 'tickets' })).toMatchObject({
      created: 0,
      skipped: 2,
      rejected: 2,
    });
  });

  it('rejects rows one by one and never stops the import', async () => {
    const jsonl = [
      '{"externalId":"r-1","subject":"Fine","body":"ok","customerEmail":"r1@example.test"}',
      '[1,2]',
      '{"externalId":"r-2","subject":"Bad status","body":"x","customerEmail":"r2@example.test","status":"snoozed"}',
      '{"externalId":"r-3","subject":"Unknown","body":"x","customerEmail":"r3@example.test","colour":"blue"}',
      '{"externalId":"r-4","subject":"No customer","body":"x"}',
      '{"externalId":"r-5","subject":"Back to ' +
        'new","body":"x","customerEmail":"r5@example.test","status":"new","messages":[{"author":"agent","text":"hi"}]}',
      '{"externalId":"r-6","subject":"Bad tag","body":"x","customerEmail":"r6@example.test","tags":"ok|not ok"}',
    ].join('\n');
    const summary = await importText(t.desk, workspaceId, jsonl, { kind: 'tickets', format: 'jsonl' });
    expect(summary).toMatchObject({ total: 7, created: 1, rejected: 6 });
    expect(summary.rejections.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(summary.rejections[0]!.reason).toBe('expected a JSON object');
    expect(summary.rejections[1]!.reason).toMatch(/^status: /);
    expect(summary.rejections[2]!.reason).toBe('unknown field(s) colour');
    expect(summary.rejections[3]!.reason).toMatch(/^customerEmail: customer needs an id, email or externalId/);
    expect(summary.rejections[4]!.reason).toBe('A open ticket cannot become new');
    expect(summary.rejections[5]!.reason).toMatch(/^tags\.1: /);
    // The failed row rolled back entirely: its customer was not created either.
    expect(await findCustomer(ctx, { email: 'r5@example.test' })).toBeNull();
  });

  it('handles quoted CSV fields, CRLF line ends and malformed records', async () => {
    const csv = [
      'email,name,attr.note',
      '"q1@example.test","Doe, Jane","line one',
      'line two, with a comma"',
      'q2@example.test,Plain,"say ""hi"""',
      'q3@example.test,Too,many,columns',
      'q4@example.test,Last,',
    ].join('\r\n');
    const summary = await importText(t.desk, workspaceId, csv, { kind: 'customers', format: 'csv' });
    expect(summary).toMatchObject({ total: 4, created: 3, rejected: 1 });
    expect(summary.rejections).toEqual([{ line: 5, reason: expect.stringMatching(/^malformed CSV: /) }]);
    const jane = await findCustomer(ctx, { email: 'q1@example.test' });
    expect(jane).toMatchObject({ name: 'Doe, Jane', attributes: { note: 'line one\nline two, with a comma' } });
    expect(await findCustomer(ctx, { email: 'q2@example.test' })).toMatchObject({ attributes: { note: 'say "hi"' } });
    expect((await findCustomer(ctx, { email: 'q4@example.test' }))?.attributes).toEqual({});
  });

  it('stores nothing in a dry run, with exact counts', async () => {
    const csv = 'externalId,email,name\ndry-1,dry1@example.test,Dry\ncus-1,ada@acme.test,Ada L.\n';
    const summary = await importText(t.desk, workspaceId, csv, { kind: 'customers', format: 'csv', dryRun: true });
    expect(summary).toMatchObject({ total: 2, created: 1, updated: 1, rejected: 0 });
    expect(await findCustomer(ctx, { externalId: 'dry-1' })).toBeNull();
    const ada = await findCustomer(ctx, { externalId: 'cus-1' });
    expect((await getCustomer(ctx, ada!.id)).name).toBe('Ada Lovelace');
  });

  it('fails clearly on a missing workspace, an unreadable file or a wrong header', async () => {
    await expect(
      importText(t.desk, '00000000-0000-4000-8000-000000000000', 'name\nX\n', { kind: 'accounts', format: 'csv' }),
    ).rejects.toThrow(/Workspace 00000000-0000-4000-8000-000000000000 was not found/);
    await expect(importFile(t.desk, workspaceId, fixture('missing.csv'), { kind: 'accounts' })).rejects.toThrow(
      /Cannot read .*missing\.csv/,
    );
    await expect(importFile(t.desk, workspaceId, fixture('accounts.txt'), { kind: 'accounts' })).rejects.toThrow(
      /--format csv or --format jsonl/,
    );
    await expect(
      importText(t.desk, workspaceId, 'name,emial\nX,y\n', { kind: 'customers', format: 'csv' }),
    ).rejects.toThrow(/unknown column\(s\) emial/);
    await expect(importText(t.desk, workspaceId, '', { kind: 'customers', format: 'csv' })).rejects.toThrow(/empty/);
  });
});

describe('deskmind import arguments', () => {
  const WS = '3f0c4a52-5d0e-4d7b-9a51-0f4a1c2b3d4e';
  const parse = async (...args: string[]) => {
    const run = vi.fn(async () => ({}) as never);
    const program = new Command()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerImport(program, run);
    program.commands.forEach((c) =>
      c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined }),
    );
    await program.parseAsync(['import', ...args], { from: 'user' });
    return run.mock.calls[0] as unknown as [string, string, ImportCommandOptions];
  };

  it('passes the kind, file and options', async () => {
    expect(await parse('tickets', 'a.csv', '--workspace', WS)).toEqual([
      'tickets',
      'a.csv',
      { workspace: WS, json: false, dryRun: false },
    ]);
    expect(await parse('customers', 'b.txt', '-w', WS, '--format', 'jsonl', '--json', '--dry-run')).toEqual([
      'customers',
      'b.txt',
      { workspace: WS, format: 'jsonl', json: true, dryRun: true },
    ]);
  });

  it('refuses a bad kind, format or workspace id, and a missing workspace', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (err: CommanderError) => err.code,
      );
    expect(await code(parse('agents', 'a.csv', '--workspace', WS))).toBe('commander.invalidArgument');
    expect(await code(parse('tickets', 'a.csv', '--workspace', WS, '--format', 'xlsx'))).toBe(
      'commander.invalidArgument',
    );
    expect(await code(parse('tickets', 'a.csv', '--workspace', 'acme'))).toBe('commander.invalidArgument');
    expect(await code(parse('tickets', 'a.csv'))).toBe('commander.missingMandatoryOptionValue');
  });

  it('explains the columns in --help', () => {
    const program = new Command();
    registerImport(program);
    let help = '';
    program.commands[0]!.configureOutput({ writeOut: (s) => (help += s) }).outputHelp();
    for (const text of [
      '--dry-run',
      '--format',
      'billingState',
      'accountExternalId',
      'customerExternalId',
      'attr.<name>',
      'messages',
    ]) {
      expect(help).toContain(text);
    }
  });
});
