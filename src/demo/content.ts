/** Knowledge-base articles and playbooks of the demo product, Pipewise. */
export interface DemoArticle {
  externalId: string;
  title: string;
  intents: string[];
  tags: string[];
  tiers?: string[];
  body: string;
  walkthrough?: { title: string; selector: string; body?: string }[];
}

export const DEMO_ARTICLES: DemoArticle[] = [
  {
    externalId: 'reset-password',
    title: 'Reset your password',
    intents: ['password_reset', 'account_access'],
    tags: ['account', 'login'],
    body: `## Reset a forgotten password

Open the sign-in page and click **Forgot password?** under the password field. Enter the email address of your Pipewise account and we send you a reset link within a minute.

The reset link is valid for 30 minutes. Open it, choose a new password of at least 10 characters, and sign in again.

## The reset email does not arrive

Check your spam or junk folder, and make sure you typed the address you signed up with. If your company uses single sign-on, reset your password with your identity provider instead.`,
    walkthrough: [
      { title: 'Open the sign-in page', selector: 'a[href="/login"]' },
      { title: 'Click "Forgot password?"', selector: '#forgot-password' },
      { title: 'Enter your email and send the link', selector: 'form#reset button[type=submit]' },
    ],
  },
  {
    externalId: 'two-factor',
    title: 'Two-factor authentication',
    intents: ['two_factor'],
    tags: ['account', 'security'],
    body: `## Turn on two-factor authentication

Go to **Settings → Security** and click **Enable two-factor authentication**. Scan the QR code with an authenticator app and enter the six-digit code to confirm.

## Lost your authenticator

Sign in with one of the recovery codes you saved when you enabled two-factor authentication. Each recovery code works once. Without recovery codes, an administrator of your workspace can reset two-factor authentication for you.`,
  },
  {
    externalId: 'invoices',
    title: 'Find and download invoices',
    intents: ['billing_invoice'],
    tags: ['billing'],
    body: `## Download an invoice

Invoices are under **Settings → Billing → Invoices**. Click an invoice to download it as a PDF. A new invoice is issued on the first day of each billing period.

## Change the billing address or VAT number

Edit the billing details under **Settings → Billing → Company details**. The change applies to the next invoice; past invoices cannot be reissued.`,
  },
  {
    externalId: 'plans',
    title: 'Change your plan',
    intents: ['billing_plan_change'],
    tags: ['billing'],
    body: `## Upgrade or downgrade

Go to **Settings → Billing → Plan** and pick the new plan. An upgrade takes effect at once and is prorated on your next invoice. A downgrade takes effect at the end of the current billing period.`,
  },
  {
    externalId: 'cancel',
    title: 'Cancel your subscription',
    intents: ['billing_cancellation'],
    tags: ['billing'],
    body: `## Cancel

Go to **Settings → Billing → Plan** and click **Cancel subscription**. Your workspace stays active until the end of the paid period, then moves to the Free plan. Your pipelines and data are kept for 90 days.`,
  },
  {
    externalId: 'failed-payment',
    title: 'A payment failed',
    intents: ['billing_failed_payment'],
    tags: ['billing'],
    body: `## Update your card after a failed payment

When a payment fails we retry it three times over seven days. Update your card under **Settings → Billing → Payment method**; the open invoice is charged again right away.`,
  },
  {
    externalId: 'export-runs',
    title: 'Export run history as CSV',
    intents: ['how_to', 'data_export'],
    tags: ['pipelines', 'export'],
    body: `## Export the run history of a pipeline

Open the pipeline, go to the **Runs** tab and click **Export → CSV**. The file contains every run of the selected period with its status, duration and row counts.

## Export all your data

Admins can export every pipeline definition and run as JSON under **Settings → Data → Export workspace**. The export is emailed as a download link when it is ready.`,
    walkthrough: [
      { title: 'Open the Runs tab', selector: '[data-tab="runs"]' },
      { title: 'Click Export, then CSV', selector: '#export-runs' },
    ],
  },
  {
    externalId: 'slack',
    title: 'Slack notifications',
    intents: ['integrations'],
    tags: ['integrations'],
    body: `## Connect Slack

Go to **Settings → Integrations → Slack** and click **Connect**. Choose the channel that should receive alerts. Pipewise then posts a message there whenever a pipeline run fails.`,
  },
];

/** Playbooks: which intents the assistant may answer from the knowledge base, and which always go to a human. */
export const DEMO_PLAYBOOKS: { intent: string; kind: 'answer' | 'handoff'; mode: 'auto' | 'shadow'; template?: string }[] = [
  { intent: 'password_reset', kind: 'answer', mode: 'auto' },
  { intent: 'account_access', kind: 'answer', mode: 'auto' },
  { intent: 'two_factor', kind: 'answer', mode: 'auto' },
  { intent: 'billing_invoice', kind: 'answer', mode: 'auto' },
  { intent: 'billing_plan_change', kind: 'answer', mode: 'auto' },
  { intent: 'billing_cancellation', kind: 'answer', mode: 'shadow' },
  { intent: 'billing_failed_payment', kind: 'answer', mode: 'auto' },
  { intent: 'how_to', kind: 'answer', mode: 'auto' },
  { intent: 'data_export', kind: 'answer', mode: 'auto' },
  { intent: 'integrations', kind: 'answer', mode: 'auto' },
  { intent: 'billing_refund', kind: 'handoff', mode: 'auto' },
  { intent: 'bug_report', kind: 'handoff', mode: 'auto' },
  { intent: 'outage', kind: 'handoff', mode: 'auto' },
  { intent: 'security_privacy', kind: 'handoff', mode: 'auto' },
];
