import { z } from 'zod';
import { markAiAnswer } from '../../../tickets/mark-ai-answer.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/ai-feedback` */
export const markAiAnswerRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/ai-feedback',
    {
      config: { access: STAFF },
      schema: {
        tags: ['workflow'],
        summary: "Mark the assistant's answer good or wrong (a wrong answer lowers its articles' usefulness)",
        params: Params,
        body: z.object({ verdict: z.enum(['good', 'wrong']), note: z.string().max(2000).optional() }).strict(),
        response: { 200: z.object({ verdict: z.string(), articles: z.array(z.string()), outcomes: z.number() }) },
      },
    },
    async (request) => markAiAnswer(ctxOf(desk, request), request.params.id, request.body.verdict, request.body.note),
  );
};
