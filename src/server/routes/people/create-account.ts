import { AccountInputSchema, AccountSchema } from '../../../domain/schemas.js';
import { createAccount } from '../../../people/create-account.js';
import { ANY, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/accounts` */
export const createAccountRoute: Route = (app, desk) => {
  // ── accounts
  app.post(
    '/accounts',
    {
      config: { access: ANY },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (company)',
        body: AccountInputSchema,
        response: { 201: AccountSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createAccount(ctxOf(desk, request), request.body)),
  );
};
