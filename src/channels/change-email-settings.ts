import { type EmailSettings, type EmailSettingsPatch, updateEmailSettings } from '../connectors/email-settings.js';
import { inTransaction, type Ctx } from '../store/ctx.js';

/** An admin changes the email settings (`updateEmailSettings`: logged), in one transaction. */
export function changeEmailSettings(ctx: Ctx, patch: EmailSettingsPatch): Promise<EmailSettings> {
  return inTransaction(ctx, (ctx) => updateEmailSettings(ctx, patch));
}
