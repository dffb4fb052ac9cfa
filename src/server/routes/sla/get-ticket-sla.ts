import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import { SlaStateSchema } from '../../../sla/schemas.js';
import { getTicketSla } from '../../../sla/state.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

const Params = z.object({ id: IdSchema }).strict();

/** `GET /api/v1/tickets/:id/sla` */
export const getTicketSlaRoute: Route = (app, desk) => {
  app.get(
    '/tickets/:id/sla',
    {
      config: { access: STAFF },
      schema: {
        tags: ['sla'],
        summary: "A ticket's SLA: due times, met, breached, minutes left",
        params: Params,
        response: { 200: SlaStateSchema },
      },
    },
    async (request) => getTicketSla(ctxOf(desk, request), request.params.id),
  );
};
