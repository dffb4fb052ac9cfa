import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { importCrmDocument } from '../../../connectors/crm.js';
import { ImportSummarySchema } from '../../../ingest/import.js';
import { ctxOf, type Access } from '../../auth.js';
import type { IntegrationRoute } from './types.js';

const INGEST: Access = ['admin', 'ingest'];

/** `POST /integrations/crm/import`: accounts or customers from CSV, JSONL or a JSON array. */
export const importCrmRecords: IntegrationRoute = async (app, desk) => {
  await app.register(async (plugin) => {
    const doc = plugin.withTypeProvider<ZodTypeProvider>();
    doc.addContentTypeParser(
      ['text/csv', 'application/x-ndjson', 'application/jsonl'],
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );
    doc.post(
      '/integrations/crm/import',
      {
        // One transaction per row (a bad row never stops the import): its audit entry is written before it runs.
        config: { access: INGEST, audit: 'before' },
        schema: {
          tags: ['integrations'],
          summary:
            'Upsert accounts or customers from CSV (text/csv), JSONL (application/x-ndjson) or a JSON array, like ' +
            '`deskmind import`',
          querystring: z.object({ kind: z.enum(['accounts', 'customers']) }).strict(),
          response: { 200: ImportSummarySchema },
        },
      },
      async (request) => {
        const ctx = ctxOf(desk, request);
        const type = String(request.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim();
        const format = type === 'text/csv' ? 'csv' : type === 'application/json' ? 'json' : 'jsonl';
        return importCrmDocument(desk, ctx.workspaceId, request.query.kind, request.body as string | unknown[], format);
      },
    );
  });
};
