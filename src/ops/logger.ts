import pino, { type Logger } from 'pino';
import type { Config } from '../config.js';
import { prettyDestination } from './pretty-log.js';

/** Log redaction: secrets never reach the logs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'apiKey',
  'password',
  '*.password',
  '*.apiKey',
  'databaseUrl',
  'config.databaseUrl',
  'smtpRelayUrl',
  'config.smtpRelayUrl',
  // integration secrets (src/integrations/settings.ts)
  '*.secretKey',
  '*.webhookSecret',
  '*.accessToken',
  'req.headers["stripe-signature"]',
  'req.headers["x-deskmind-signature"]',
  'req.headers["x-csrf-token"]',
  'req.headers["x-deskmind-signature"]',
  'secret',
  'token',
  '*.secret',
  '*.token',
  '*.signingSecret',
  '*.llmApiKey',
  '*.embeddingsApiKey',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
];

/** The structured logger; `stderr` keeps stdout free for a command's own output (e.g. `demo --json`). */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  to: 'stdout' | 'stderr' = 'stdout',
): Logger {
  const fd = to === 'stdout' ? 1 : 2;
  return pino(
    { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    config.logFormat === 'pretty' ? prettyDestination(fd) : pino.destination(fd),
  );
}
