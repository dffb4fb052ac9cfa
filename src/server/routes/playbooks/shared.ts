import { z } from 'zod';
import { IntentSchema } from '../../../resolution/schemas.js';

export const Params = z.object({ intent: IntentSchema }).strict();
