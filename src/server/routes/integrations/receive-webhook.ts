import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ALL } from '../../../connectors/registry.js';
import { receiveWebhook } from '../../../connectors/receive-webhook.js';
import { IdSchema } from '../../../domain/schemas.js';
import type { IntegrationRoute } from './types.js';

const WorkspaceParams = z.object({ workspaceId: IdSchema }).strict();

/**
 * `POST /integrations/<connector>/webhook/:workspaceId` for every connector with a webhook receiver: public
 * routes that read the raw body, so the receiver can check its signature with the workspace's secret.
 */
export const receiveWebhooks: IntegrationRoute = async (app, desk) => {
  await app.register(async (plugin) => {
    const hooks = plugin.withTypeProvider<ZodTypeProvider>();
    hooks.removeContentTypeParser('application/json');
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const connector of ALL) {
      const { webhook } = connector;
      if (!webhook) continue;
      hooks.post(
        `/integrations/${connector.id}/webhook/:workspaceId`,
        {
          config: { access: 'public' },
          schema: {
            tags: ['integrations'],
            summary: webhook.summary,
            params: WorkspaceParams,
            security: [],
            response: { 200: webhook.response },
          },
        },
        async (request) => {
          const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from('');
          const header = request.headers[webhook.signatureHeader];
          const signature = typeof header === 'string' ? header : undefined;
          return receiveWebhook(desk, connector, {
            workspaceId: request.params.workspaceId,
            raw,
            signature,
            log: request.log,
          });
        },
      );
    }
  });
};
