import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { IdSchema } from '../../../domain/schemas.js';
import { CsatInputSchema, recordCsat } from '../../../learning/outcomes.js';
import { getLearningSettings, LearningSettingsPatchSchema, LearningSettingsSchema, ProposalSchema, proposeThresholds, tuneThresholds, updateLearningSettings } from '../../../learning/thresholds.js';
import { learningMetrics } from '../../../metrics/learning.js';
import { qualityMetrics } from '../../../metrics/quality.js';
import { LearningReportSchema, MetricsRangeQuerySchema, QualityQuerySchema, QualityReportSchema } from '../../../metrics/schemas.js';
import { ADMIN, ANY, STAFF, ctxOf, txOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();
const ThresholdsSchema = z.object({
  settings: LearningSettingsSchema,
  defaultThreshold: z.number(),
  current: z.record(z.string(), z.number()),
  proposals: z.array(ProposalSchema),
});

/** Quality and learning metrics, CSAT, and the tuning of autonomy thresholds. */
export const metricsRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.post('/tickets/:id/csat', {
    config: { access: ANY },
    schema: { tags: ['tickets'], summary: "The customer's satisfaction rating (1..5)", params: Params, body: CsatInputSchema, response: { 201: z.object({ ticketId: z.string(), rating: z.number(), comment: z.string().nullable() }) } },
  }, async (request, reply) => {
    const result = await txOf(desk, request, (ctx) => recordCsat(ctx, request.params.id, request.body.rating, request.body.comment));
    return reply.code(201).send(result);
  });

  app.get('/metrics/quality', {
    config: { access: STAFF },
    schema: {
      tags: ['metrics'],
      summary: 'Support quality: resolution (answers that held) apart from deflection, FCR, reopens, escalations, routing accuracy, times, CSAT',
      querystring: QualityQuerySchema,
      response: { 200: QualityReportSchema },
    },
  }, async (request) => qualityMetrics(ctxOf(desk, request), request.query));

  app.get('/metrics/learning', {
    config: { access: STAFF },
    schema: { tags: ['metrics'], summary: 'Intent accuracy against human labels per week, and model versions', querystring: MetricsRangeQuerySchema, response: { 200: LearningReportSchema } },
  }, async (request) => learningMetrics(ctxOf(desk, request), request.query));

  app.get('/learning/thresholds', {
    config: { access: STAFF },
    schema: { tags: ['learning'], summary: 'Autonomy thresholds in force and what tuning would change, with the evidence', response: { 200: ThresholdsSchema } },
  }, async (request) => proposeThresholds(ctxOf(desk, request)));

  app.post('/learning/thresholds/tune', {
    config: { access: ADMIN },
    schema: { tags: ['learning'], summary: 'Tune per-intent thresholds now (changes are logged with before/after and evidence)', response: { 200: z.object({ changes: z.array(ProposalSchema), proposals: z.array(ProposalSchema) }) } },
  }, async (request) => {
    return txOf(desk, request, (ctx) => tuneThresholds(ctx));
  });

  app.get('/learning/settings', {
    config: { access: STAFF },
    schema: { tags: ['learning'], summary: 'How thresholds are tuned', response: { 200: LearningSettingsSchema } },
  }, async (request) => getLearningSettings(ctxOf(desk, request)));

  app.patch('/learning/settings', {
    config: { access: ADMIN },
    schema: { tags: ['learning'], summary: 'Change how thresholds are tuned, incl. pinned intents (logged)', body: LearningSettingsPatchSchema, response: { 200: LearningSettingsSchema } },
  }, async (request) => {
    return txOf(desk, request, (ctx) => updateLearningSettings(ctx, request.body));
  });
};
