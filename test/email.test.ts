import nodemailer, { type SendMailOptions } from 'nodemailer';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxHasDue } from '../src/channels/outbox.js';
import { seedDemo } from '../src/demo/seed.js';
import { startFakeRelay, type FakeRelay } from './fakes/smtp-relay.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';
import { waitFor } from './helpers-wait.js';

describe.each(backends())('the email channel on %s (loopback SMTP in and out)', (kind) => {
  let t: TestDesk;
  let relay: FakeRelay;
  let smtpPort: number;
  const clock = testClock();

  beforeAll(async () => {
    relay = await startFakeRelay();
    t = await openTestDesk(kind, {
      now: clock.now,
      config: { smtpRelayUrl: relay.url, emailMaxAttachments: 1, emailMaxAttachmentBytes: 2000, outboxPollMs: 100 },
    });
    smtpPort = await t.desk.startSmtp({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await relay?.close();
  });

  /** The customer's mail client, sending to our listener. */
  const send = (mail: SendMailOptions) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }).sendMail(mail);
  const drain = async () => {
    for (let i = 0; i < 20 && (await outboxHasDue(t.desk.database.db, clock.now())); i++) await t.desk.deliverOutbox();
  };

  it(
    'turns a customer mail into a ticket, sends the agent reply threaded, and threads the customer reply onto ' +
      'the same ticket',
    async () => {
      const ws = await newWorkspace(t, 'Acme');
      const settings = await ws.call('PATCH', '/api/v1/settings/email', {
        inboundAddress: 'Support@Acme.test',
        fromName: 'Acme Support',
      });
      expect(settings.body).toEqual({ inboundAddress: 'support@acme.test', fromName: 'Acme Support' });

      // Mail to an address no workspace receives at is refused at RCPT TO.
      await expect(
        send({ from: 'kim@example.com', to: 'nobody@acme.test', subject: 'x', text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 550 });

      // 1. The customer writes in.
      const first = await send({
        from: 'Kim Lee <Kim@Example.com>',
        to: 'support@acme.test',
        subject: 'Export fails',
        text: 'Hi, the CSV export fails with error 500 since Monday.\n\n-- \nKim Lee\nCTO, Example Inc.',
        html:
          '<p>Hi, the CSV export fails with <b>error 500</b> since Monday.</p><script>steal()</script><div ' +
          'class="gmail_signature">Kim Lee<br>CTO, Example Inc.</div>',
        attachments: [
          { filename: 'error.txt', content: 'HTTP 500 at /export', contentType: 'text/plain' },
          { filename: 'huge.bin', content: Buffer.alloc(5000, 1) },
        ],
      });
      const customerMessageId = first.messageId;
      const list = (await ws.call('GET', '/api/v1/tickets')).body.data;
      expect(list).toHaveLength(1);
      const ticketId = list[0].id;
      let ticket = (await ws.call('GET', `/api/v1/tickets/${ticketId}`)).body;
      expect(ticket).toMatchObject({ subject: 'Export fails', channel: 'email', status: 'new' });
      expect(ticket.customer.email).toBe('kim@example.com');
      expect(ticket.customer.name).toBe('Kim Lee');
      expect(ticket.messages[0].text).toBe('Hi, the CSV export fails with error 500 since Monday.');
      expect(ticket.messages[0].html).toContain('<b>error 500</b>');
      expect(ticket.messages[0].html).not.toMatch(/script|steal|CTO/);
      expect(ticket.messages[0].attachments).toEqual([{ filename: 'error.txt', contentType: 'text/plain', size: 19 }]);

      // Attachments within the limits are stored and downloadable; the rest are listed as skipped.
      const files = (await ws.call('GET', `/api/v1/tickets/${ticketId}/attachments`)).body.data;
      expect(files.map((f: any) => f.filename)).toEqual(['error.txt']);
      const download = await t.server.inject({
        method: 'GET',
        url: `/api/v1/attachments/${files[0].id}`,
        headers: { authorization: `Bearer ${ws.apiKey}` },
      });
      expect(download.statusCode).toBe(200);
      expect(download.body).toBe('HTTP 500 at /export');
      expect(download.headers['content-disposition']).toContain('error.txt');
      const emails = (await ws.call('GET', `/api/v1/tickets/${ticketId}/emails`)).body.data;
      expect(emails).toHaveLength(1);
      expect(emails[0]).toMatchObject({
        direction: 'inbound',
        rfcMessageId: customerMessageId,
        fromAddress: 'kim@example.com',
        hasRaw: true,
      });
      expect(emails[0].notes.skippedAttachments).toEqual([
        { filename: 'huge.bin', size: 5000, reason: 'larger than 2000 bytes' },
      ]);
      // The original mail, signature and all, is kept.
      const raw = await t.server.inject({
        method: 'GET',
        url: `/api/v1/emails/${emails[0].id}/raw`,
        headers: { authorization: `Bearer ${ws.apiKey}` },
      });
      expect(raw.headers['content-type']).toBe('message/rfc822');
      expect(raw.body).toContain('CTO, Example Inc.');

      // The same mail delivered twice (an MTA retry) is stored once.
      await t.desk.receiveEmail(raw.rawPayload, ['support@acme.test']);
      expect((await ws.call('GET', '/api/v1/tickets')).body.data).toHaveLength(1);

      clock.advance(60_000); // messages are ordered by time
      // 2. An agent replies: it goes out through the relay, threaded under the customer's mail.
      const reply = await ws.call('POST', `/api/v1/tickets/${ticketId}/messages`, {
        text: 'Thanks Kim, we fixed the export. Please try again.',
        authorType: 'agent',
      });
      expect(reply.status).toBe(201);
      clock.advance(60_000);
      await ws.call('POST', `/api/v1/tickets/${ticketId}/messages`, {
        text: 'Internal: was the S3 bucket',
        authorType: 'agent',
        visibility: 'internal',
      });
      expect(relay.received).toHaveLength(0); // nothing leaves before the outbox worker runs
      await drain();
      expect(relay.received).toHaveLength(1); // the internal note never leaves
      const out = await simpleParser(relay.received[0]!.raw);
      expect(relay.received[0]!.to).toEqual(['kim@example.com']);
      expect(out.from?.value[0]).toMatchObject({ address: 'support@acme.test', name: 'Acme Support' });
      expect(out.subject).toBe('Re: Export fails');
      expect(out.text?.trim()).toBe('Thanks Kim, we fixed the export. Please try again.');
      expect(out.messageId).toBe(`<deskmind.${reply.body.message.id}@acme.test>`);
      expect(out.inReplyTo).toBe(customerMessageId);
      expect([out.references].flat()).toEqual([customerMessageId]);
      expect(out.headers.get('auto-submitted')).toBeUndefined();

      clock.advance(60_000);
      // 3. The ticket is resolved; the customer answers from their mail client, quoting ours.
      await ws.call('PATCH', `/api/v1/tickets/${ticketId}`, { status: 'resolved' });
      await send({
        from: 'kim@example.com',
        to: 'support@acme.test',
        subject: 'Re: Export fails',
        inReplyTo: out.messageId,
        references: [customerMessageId, out.messageId!],
        text:
          'Still failing for the March file, sorry.\n\nOn Mon, 1 Jun 2026 at 09:00, Acme Support ' +
          '<support@acme.test> wrote:\n> Thanks Kim, we fixed the export. Please try again.\n',
      });
      expect((await ws.call('GET', '/api/v1/tickets')).body.data).toHaveLength(1);
      ticket = (await ws.call('GET', `/api/v1/tickets/${ticketId}`)).body;
      expect(ticket.status).toBe('open');
      expect(ticket.reopenCount).toBe(1);
      expect(ticket.messages.map((m: any) => [m.authorType, m.text])).toEqual([
        ['customer', 'Hi, the CSV export fails with error 500 since Monday.'],
        ['agent', 'Thanks Kim, we fixed the export. Please try again.'],
        ['agent', 'Internal: was the S3 bucket'],
        ['customer', 'Still failing for the March file, sorry.'],
      ]);

      clock.advance(60_000);
      // 4. The next reply comes from the assistant while the relay is down: it waits and is retried.
      relay.failing = true;
      const second = await ws.call('POST', `/api/v1/tickets/${ticketId}/messages`, {
        text: 'The March file is fixed too.',
        authorType: 'assistant',
      });
      await t.desk.deliverOutbox();
      const pending = (await ws.call('GET', '/api/v1/deliveries?channel=email&status=pending')).body.data;
      expect(pending).toHaveLength(1);
      expect(pending[0].attempts).toBe(1);
      expect(pending[0].lastError).toContain('451');
      relay.failing = false;
      clock.advance(3_600_000);
      await drain();
      expect(relay.received).toHaveLength(2);
      const out2 = await simpleParser(relay.received[1]!.raw);
      expect(out2.messageId).toBe(`<deskmind.${second.body.message.id}@acme.test>`);
      const customerReplyId = (await ws.call('GET', `/api/v1/tickets/${ticketId}/emails`)).body.data
        .filter((e: any) => e.direction === 'inbound')
        .at(-1).rfcMessageId;
      expect(out2.inReplyTo).toBe(customerReplyId);
      expect([out2.references].flat()).toEqual([customerMessageId, out.messageId, customerReplyId]);
      expect(out2.headers.get('auto-submitted')).toBe('auto-replied');

      // A mail from someone else quoting our Message-ID opens its own ticket, never joins Kim's.
      await send({
        from: 'mallory@evil.test',
        to: 'support@acme.test',
        subject: 'Re: Export fails',
        inReplyTo: out.messageId,
        text: 'Let me in',
      });
      expect((await ws.call('GET', '/api/v1/tickets')).body.data).toHaveLength(2);
      // An out-of-office answer is not a customer message.
      await send({
        from: 'kim@example.com',
        to: 'support@acme.test',
        subject: 'Out of office',
        inReplyTo: out2.messageId,
        headers: { 'Auto-Submitted': 'auto-replied' },
        text: 'I am away',
      });
      expect((await ws.call('GET', `/api/v1/tickets/${ticketId}`)).body.messages).toHaveLength(5);
    },
  );

  it("emails the assistant's own answer, threaded, and threads the customer's answer to it", async () => {
    const demo = await seedDemo(t.desk, { tickets: false });
    const call = async (method: 'GET' | 'PATCH', url: string, body?: unknown) =>
      (
        await t.server.inject({
          method,
          url,
          headers: { authorization: `Bearer ${demo.apiKey}` },
          ...(body ? { payload: body as object } : {}),
        })
      ).json() as any;
    await call('PATCH', '/api/v1/settings/email', { inboundAddress: 'support@pipewise.test' });
    const asked = await send({
      from: 'Maria Lopez <maria@initech.example>',
      to: 'support@pipewise.test',
      subject: 'Invoices',
      text: 'Where can I download my invoices?',
    });
    const ticketId = (await call('GET', '/api/v1/tickets?limit=1')).data[0].id;
    clock.advance(60_000);
    await t.desk.runPipeline(demo.workspaceId, ticketId, 'created');
    const answered = await call('GET', `/api/v1/tickets/${ticketId}`);
    expect(answered.status).toBe('resolved');
    const before = relay.received.length;
    await drain();
    const mails = relay.received.slice(before).filter((r) => r.to.includes('maria@initech.example'));
    expect(mails).toHaveLength(1);
    const out = await simpleParser(mails[0]!.raw);
    expect(out.text).toMatch(/Settings → Billing → Invoices/);
    expect(out.inReplyTo).toBe(asked.messageId);
    expect(out.subject).toBe('Re: Invoices');
    expect(out.headers.get('auto-submitted')).toBe('auto-replied');
    clock.advance(60_000);
    await send({
      from: 'maria@initech.example',
      to: 'support@pipewise.test',
      subject: 'Re: Locked out',
      inReplyTo: out.messageId,
      references: [asked.messageId, out.messageId!],
      text: `That worked, thank you!\n\nOn Mon, Jun 1, 2026, Pipewise wrote:\n> ${out.text?.split('\n')[0]}`,
    });
    const after = await call('GET', `/api/v1/tickets/${ticketId}`);
    expect(after.messages.map((m: any) => m.authorType)).toEqual(['customer', 'assistant', 'customer']);
    expect(after.messages[2].text).toBe('That worked, thank you!');
    expect((await call('GET', '/api/v1/tickets')).data).toHaveLength(1);
  });

  it('sends replies from the running worker', async () => {
    const ws = await newWorkspace(t, 'Worker');
    await ws.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'help@worker.test' });
    await send({
      from: 'ann@example.com',
      to: 'help@worker.test',
      subject: 'Invoice copy',
      text: 'Please send me the May invoice.',
    });
    const ticketId = (await ws.call('GET', '/api/v1/tickets')).body.data[0].id;
    const before = relay.received.length;
    await t.desk.startWorker();
    await ws.call('POST', `/api/v1/tickets/${ticketId}/messages`, {
      text: 'Attached is your May invoice.',
      authorType: 'agent',
    });
    // Waits on the relay receiving it (the test's timeout ends a hang), not on a count of sleeps.
    await waitFor(() => relay.received.slice(before).some((r) => r.to.includes('ann@example.com')));
    const mine = relay.received.slice(before).filter((r) => r.to.includes('ann@example.com'));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect((await simpleParser(mine.at(-1)!.raw)).text).toContain('May invoice');
  });

  it('keeps a mail with no readable text, and ignores mail with no sender', async () => {
    const ws = await newWorkspace(t, 'Images');
    await ws.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'img@images.test' });
    await send({
      from: 'bo@example.com',
      to: 'img@images.test',
      subject: 'Screenshot',
      html: '<img src="cid:shot">',
      attachments: [{ filename: 'shot.png', content: Buffer.from([137, 80, 78, 71]), cid: 'shot' }],
    });
    const [ticket] = (await ws.call('GET', '/api/v1/tickets')).body.data;
    const detail = (await ws.call('GET', `/api/v1/tickets/${ticket.id}`)).body;
    expect(detail.messages[0].text).toBe('(no text)');
    expect((await ws.call('GET', `/api/v1/tickets/${ticket.id}/attachments`)).body.data[0]).toMatchObject({
      filename: 'shot.png',
      contentId: '<shot>',
      size: 4,
    });
    const ignored = await t.desk.receiveEmail(Buffer.from('To: img@images.test\r\nSubject: who?\r\n\r\nno sender'), [
      'img@images.test',
    ]);
    expect(ignored).toEqual([{ status: 'ignored', reason: 'no sender address' }]);
  });

  it('refuses an inbound address another workspace already has', async () => {
    const a = await newWorkspace(t, 'A');
    const b = await newWorkspace(t, 'B');
    expect((await a.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'shared@x.test' })).status).toBe(200);
    const taken = await b.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'shared@x.test' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('conflict');
    expect((await b.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'not an address' })).body.code).toBe(
      'validation_failed',
    );
  });
});
