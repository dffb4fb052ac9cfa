/** The inbound SMTP listener (smtp-server): accepts mail for known inbound addresses and hands it over whole. */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { DeskmindError } from '../../domain/errors.js';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  maxBytes: number;
  logger: Logger;
  /** Whether mail to this address is accepted (a workspace's inbound address). */
  accepts(address: string): Promise<boolean>;
  /** Stores one accepted mail; a `DeskmindError` 4xx refuses it for good (550), any other throw makes the sender retry
   * later (451). */
  receive(raw: Buffer, recipients: string[]): Promise<void>;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** Starts listening; resolves once the port is bound. */
export async function startSmtpListener(opts: SmtpListenerOptions): Promise<SmtpListener> {
  const server = new SMTPServer({
    name: 'deskmind',
    banner: 'Deskmind inbound mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: opts.maxBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      opts.accepts(address.address).then(
        (ok) => callback(ok ? undefined : smtpError(550, `No mailbox here by the name ${address.address}`)),
        (err: unknown) => {
          opts.logger.error({ err }, 'smtp: recipient check failed');
          callback(smtpError(451, 'Temporary failure, try again later'));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, `Message exceeds the ${opts.maxBytes} byte limit`));
        const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        opts.receive(Buffer.concat(chunks), recipients).then(
          () => callback(),
          (err: unknown) => {
            if (err instanceof DeskmindError && err.status < 500) return callback(smtpError(550, err.detail));
            opts.logger.error({ err }, 'smtp: could not store an inbound mail');
            callback(smtpError(451, 'Temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => opts.logger.warn({ err }, 'smtp listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
