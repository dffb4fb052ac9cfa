/**
 * A loopback SMTP relay (smtp-server) standing in for the mail provider Deskmind sends replies through:
 * it accepts every message and keeps it raw, or answers `451` (temporary failure, retry later) while
 * `failing`, as a relay that is down would.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface FakeRelay {
  url: string;
  port: number;
  received: { from: string; to: string[]; raw: Buffer }[];
  failing: boolean;
  close(): Promise<void>;
}

export async function startFakeRelay(): Promise<FakeRelay> {
  const state = { received: [] as FakeRelay['received'], failing: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (state.failing)
        return callback(Object.assign(new Error('Relay unavailable, try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
