import { describe, expect, it } from 'vitest';
import { backoffMs, RETRY_CAP_MS } from './outbox.js';
import { signPayload, verifySignature } from '../resolution/actions.js';
import { slackMessage } from '../connectors/slack.js';

describe('webhook signatures', () => {
  const body = '{"type":"ticket.created"}';
  it('signs timestamp.body with HMAC-SHA256 and verifies it', () => {
    // echo -n '1780000000.{"type":"ticket.created"}' | openssl dgst -sha256 -hmac whsec_test
    expect(signPayload('whsec_test', '1780000000', body)).toBe(
      'v1=5f0af7e00f1e5dbecf75dc2aa4bb5d93722ee3cfd4701842d7638dfcce7880c4',
    );
    const sig = signPayload('whsec_test', '1780000000', body);
    expect(verifySignature('whsec_test', '1780000000', body, sig, 300, new Date(1_780_000_100 * 1000))).toBe(true);
    expect(verifySignature('whsec_test', '1780000000', `${body} `, sig, 300, new Date(1_780_000_100 * 1000))).toBe(
      false,
    );
    expect(verifySignature('whsec_test', '1780000001', body, sig, 300, new Date(1_780_000_100 * 1000))).toBe(false);
    expect(verifySignature('whsec_test', '1780000000', body, sig, 300, new Date(1_780_000_301 * 1000))).toBe(false);
    expect(verifySignature('whsec_test', undefined, body, sig)).toBe(false);
    expect(verifySignature('whsec_test', '1780000000', body, 'v1=00', 300, new Date(1_780_000_000 * 1000))).toBe(false);
  });
});

describe('retry backoff', () => {
  it('doubles from 5–10 s, with jitter, and never waits more than the cap', () => {
    expect(backoffMs(1, () => 0)).toBe(5_000);
    expect(backoffMs(1, () => 1)).toBe(10_000);
    expect(backoffMs(4, () => 0.5)).toBe(60_000);
    expect(backoffMs(40, () => 1)).toBe(RETRY_CAP_MS);
    expect(backoffMs(40, () => 0)).toBe(RETRY_CAP_MS / 2);
  });
});

describe('Slack messages', () => {
  const ticket = {
    id: 't1',
    subject: 'Invoices <script>',
    priority: 'urgent',
    status: 'open',
    customerEmail: 'kim@example.com',
  };
  it('describes an SLA breach with the ticket, escaping mrkdwn', () => {
    const m = slackMessage(
      {
        type: 'sla.breached',
        ticketId: 't1',
        data: { target: 'first_response', overdueMinutes: 12 },
        createdAt: new Date('2026-06-01T09:00:00Z'),
      },
      ticket,
    )!;
    expect(m.text).toBe(':alarm_clock: SLA breached (first response) — "Invoices <script>" — 12 minutes overdue');
    expect(JSON.stringify(m.blocks)).toContain('Invoices &lt;script&gt;');
    expect(JSON.stringify(m.blocks)).not.toContain('<script>');
    expect(m.blocks.at(-1)).toMatchObject({ type: 'context' });
  });
  it('needs a ticket for a hand-off notice', () => {
    expect(
      slackMessage({ type: 'ticket.handed_off', ticketId: null, data: {}, createdAt: new Date() }, null),
    ).toBeNull();
  });
});
