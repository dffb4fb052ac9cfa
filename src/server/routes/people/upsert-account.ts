import { AccountInputSchema, AccountSchema } from '../../../domain/schemas.js';
import { upsertAccountByExternalId } from '../../../people/upsert-account.js';
import { ANY, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { ExternalParams } from './shared.js';

/** `PUT /api/v1/accounts/by-external-id/:externalId` */
export const upsertAccountRoute: Route = (app, desk) => {
  app.put(
    '/accounts/by-external-id/:externalId',
    {
      config: { access: ANY },
      schema: {
        tags: ['accounts'],
        summary: 'Create or update the account with this external id',
        params: ExternalParams,
        body: AccountInputSchema,
        response: { 200: AccountSchema, 201: AccountSchema },
      },
    },
    async (request, reply) => {
      const { account, created } = await upsertAccountByExternalId(
        ctxOf(desk, request),
        request.params.externalId,
        request.body,
      );
      return reply.code(created ? 201 : 200).send(account);
    },
  );
};
