import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';

export const Params = z.object({ id: IdSchema }).strict();
export const ExternalParams = z.object({ externalId: z.string().min(1).max(200) }).strict();
export const ListQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.uuid().optional() })
  .strict();
export const pageOf = <T extends { id: string }>(rows: T[], limit: number) => ({
  data: rows,
  nextCursor: rows.length === limit ? rows.at(-1)!.id : null,
});
