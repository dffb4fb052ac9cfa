import { z } from 'zod';
import { IdSchema, MessageSchema, TicketSchema } from '../../../domain/schemas.js';

export const Params = z.object({ id: IdSchema }).strict();
export const TicketWithMessage = z.object({ ticket: TicketSchema, message: MessageSchema });
