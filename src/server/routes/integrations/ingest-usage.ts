import { DeskmindError } from '../../../domain/errors.js';
import {
  ingestUsage,
  SegmentBatchSchema,
  SegmentEventSchema,
  UsageIngestResultSchema,
  USAGE_TYPES,
} from '../../../connectors/usage.js';
import { ctxOf, type Access } from '../../auth.js';
import type { IntegrationRoute } from './types.js';

const INGEST: Access = ['admin', 'ingest'];

/** `POST /usage/{identify,track,page,screen}` and `POST /usage/batch`: product usage in Segment's format. */
export const ingestUsageRoutes: IntegrationRoute = (app, desk) => {
  for (const type of USAGE_TYPES) {
    app.post(
      `/usage/${type}`,
      {
        config: { access: INGEST },
        schema: {
          tags: ['integrations'],
          summary: `A Segment ${type} event`,
          body: SegmentEventSchema,
          response: { 200: UsageIngestResultSchema },
        },
      },
      async (request) => {
        return ingestUsage(ctxOf(desk, request), [{ ...request.body, type }]);
      },
    );
  }
  app.post(
    '/usage/batch',
    {
      config: { access: INGEST },
      schema: {
        tags: ['integrations'],
        summary: 'A Segment batch of identify / track / page / screen events (at most 500)',
        body: SegmentBatchSchema,
        response: { 200: UsageIngestResultSchema },
      },
    },
    async (request) => {
      const events = request.body.batch.map((e, i) => {
        if (!e.type)
          throw new DeskmindError('validation_failed', `batch.${i}.type is required`, {
            issues: [{ path: `batch.${i}.type`, message: 'required' }],
          });
        return { ...e, type: e.type, context: e.context ?? request.body.context };
      });
      return ingestUsage(ctxOf(desk, request), events);
    },
  );
};
