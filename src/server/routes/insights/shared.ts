import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';

export const Params = z.object({ id: IdSchema }).strict();
