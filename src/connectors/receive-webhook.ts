import type { Connector, WebhookDelivery, WebhookDesk } from './connector.js';
import { loadIntegrationConfig, sectionOf } from './settings.js';

/**
 * Hands a signed webhook delivery to its connector's receiver with the workspace's own settings section (its
 * secret checks the signature). The receiver owns its transactions.
 */
export async function receiveWebhook(
  desk: WebhookDesk,
  connector: Connector,
  delivery: Omit<WebhookDelivery<NonNullable<Connector['options']>, string>, 'section'>,
): Promise<unknown> {
  const { webhook } = connector;
  if (!webhook) throw new Error(`${connector.id} receives no webhooks`);
  const config = await loadIntegrationConfig(desk.database.db, delivery.workspaceId);
  return webhook.receive(desk, { ...delivery, section: sectionOf(config, connector) });
}
