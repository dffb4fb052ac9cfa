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
    body:
      `## Reset a forgotten password

Open the sign-in page and click **Forgot password?** under the password field. Enter the email address of your ` +
      `Pipewise account and we send you a reset link within a minute.

The reset link is valid for 30 minutes. Open it, choose a new password of at least 10 characters, and sign in again.

## The reset email does not arrive

Check your spam or junk folder, and make sure you typed the address you signed up with. If your company uses single ` +
      `sign-on, reset your password with your identity provider instead.`,
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
    body:
      `## Turn on two-factor authentication

Go to **Settings → Security** and click **Enable two-factor authentication**. Scan the QR code with an authenticator ` +
      `app and enter the six-digit code to confirm.

## Lost your authenticator

Sign in with one of the recovery codes you saved when you enabled two-factor authentication. Each recovery code ` +
      `works once. Without recovery codes, an administrator of your workspace can reset two-factor ` +
      `authentication for you.`,
  },
  {
    externalId: 'invoices',
    title: 'Find and download invoices',
    intents: ['billing_invoice'],
    tags: ['billing'],
    body:
      `## Download an invoice

Invoices are under **Settings → Billing → Invoices**. Click an invoice to download it as a PDF. A new invoice is ` +
      `issued on the first day of each billing period.

## Change the billing address or VAT number

Edit the billing details under **Settings → Billing → Company details**. The change applies to the next invoice; ` +
      `past invoices cannot be reissued.`,
  },
  {
    externalId: 'plans',
    title: 'Change your plan',
    intents: ['billing_plan_change'],
    tags: ['billing'],
    body:
      `## Upgrade or downgrade

Go to **Settings → Billing → Plan** and pick the new plan. An upgrade takes effect at once and is prorated on your ` +
      `next invoice. A downgrade takes effect at the end of the current billing period.`,
  },
  {
    externalId: 'cancel',
    title: 'Cancel your subscription',
    intents: ['billing_cancellation'],
    tags: ['billing'],
    body:
      `## Cancel

Go to **Settings → Billing → Plan** and click **Cancel subscription**. Your workspace stays active until the end of ` +
      `the paid period, then moves to the Free plan. Your pipelines and data are kept for 90 days.`,
  },
  {
    externalId: 'failed-payment',
    title: 'A payment failed',
    intents: ['billing_failed_payment'],
    tags: ['billing'],
    body:
      `## Update your card after a failed payment

When a payment fails we retry it three times over seven days. Update your card under **Settings → Billing → Payment ` +
      `method**; the open invoice is charged again right away.`,
  },
  {
    externalId: 'export-runs',
    title: 'Export run history as CSV',
    intents: ['how_to', 'data_export'],
    tags: ['pipelines', 'export'],
    body:
      `## Export the run history of a pipeline

Open the pipeline, go to the **Runs** tab and click **Export → CSV**. The file contains every run of the selected ` +
      `period with its status, duration and row counts.

## Export all your data

Admins can export every pipeline definition and run as JSON under **Settings → Data → Export workspace**. The export ` +
      `is emailed as a download link when it is ready.`,
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
    body:
      `## Connect Slack

Go to **Settings → Integrations → Slack** and click **Connect**. Choose the channel that should receive alerts. ` +
      `Pipewise then posts a message there whenever a pipeline run fails.`,
  },
  // Password and sign-in.
  {
    externalId: 'change-password',
    title: 'Change your password while signed in',
    intents: ['password_reset'],
    tags: ['account', 'login'],
    body:
      `## Change your password

Open your avatar menu, choose **Profile → Password**, enter your current password and then the new one twice. Click ` +
      `**Update password**. Other devices stay signed in until their session ends; click **Sign out everywhere** ` +
      `on the same page to end them now.

## Password requirements

A password needs at least 10 characters and may not be one of the 10,000 most common passwords or contain your email ` +
      `address. Spaces and any symbols are allowed, and there is no rule to change it every few months.`,
  },
  {
    externalId: 'reset-email-missing',
    title: 'The password reset email does not arrive',
    intents: ['password_reset'],
    tags: ['account', 'login', 'email'],
    body:
      `## No reset email after clicking Forgot password

The email comes from no-reply@pipewise.example and usually arrives within a minute. Look in your spam, junk or ` +
      `promotions folder and search your mailbox for "Pipewise password".

Ask your IT team to allow mail from pipewise.example if your company filters incoming mail. Request a new link after ` +
      `5 minutes; each new link replaces the previous one.

## The reset link says it is invalid or expired

A reset link works once and for 30 minutes. If it opens an error page, request a fresh link from the sign-in page ` +
      `and use the newest email only.`,
  },
  {
    externalId: 'reset-teammate-password',
    title: "Reset a teammate's password (admins)",
    intents: ['password_reset'],
    tags: ['account', 'admin'],
    body:
      `## Send a reset link to a member

Workspace admins can go to **Settings → Members**, open the member and click **Send password reset**. The member ` +
      `gets the usual reset email; admins never see or set another person's password.

## Members who sign in with Google or single sign-on

Members who sign in with Google or your identity provider have no Pipewise password. Their password is managed by ` +
      `that provider.`,
  },
  {
    externalId: 'account-locked',
    title: 'Your account is locked',
    intents: ['account_access'],
    tags: ['account', 'login'],
    body:
      `## Locked after too many sign-in attempts

After 10 failed sign-in attempts in a row we lock the account for 30 minutes to protect it. Wait 30 minutes and sign ` +
      `in again, or reset your password to unlock it immediately.

## Deactivated by an admin

If the sign-in page says your user is deactivated, an admin of your workspace turned off your access. Ask them to ` +
      `reactivate you under **Settings → Members → Deactivated**.`,
  },
  {
    externalId: 'sso-login',
    title: 'Signing in with SSO, Google or Microsoft',
    intents: ['account_access'],
    tags: ['account', 'login', 'sso'],
    body:
      `## Sign in with your company's identity provider

On the sign-in page click **Continue with SSO** and enter your work email. Pipewise sends you to your identity ` +
      `provider (Okta, Azure AD, Google Workspace or any SAML 2.0 provider) and back.

## "SAML response invalid" or "account not linked"

These errors mean your identity provider and Pipewise disagree about who you are. Ask your IT admin to check that ` +
      `your email in the identity provider matches your Pipewise email and that the Pipewise app is assigned to ` +
      `you. Admins can review the SSO settings under **Settings → Security → Single sign-on**.

## A new, empty account after signing in with Google

Signing in with Google using a different address than the one you registered with creates a new account. Sign out ` +
      `and sign in with the original address, or with **Forgot password?** on your original email.`,
  },
  {
    externalId: 'session-logout',
    title: 'Signed out again and again, or stuck in a login loop',
    intents: ['account_access'],
    tags: ['account', 'login', 'browser'],
    body:
      `## The app keeps logging you out

Pipewise keeps you signed in with a cookie for 14 days. If you are signed out every few minutes, your browser is ` +
      `probably blocking or clearing cookies for app.pipewise.example. Allow cookies for that site, or turn off ` +
      `extensions that clear cookies, then sign in again.

## The sign-in page reloads in a loop

A loop back to the sign-in page is nearly always an old cookie. Clear the cookies of pipewise.example or open a ` +
      `private window and sign in there. Your workspace admin may also have set a shorter session length under ` +
      `**Settings → Security → Sessions**.`,
  },
  {
    externalId: 'change-login-email',
    title: 'Change the email address you sign in with',
    intents: ['account_access'],
    tags: ['account'],
    body:
      `## Change your login email

Go to **Profile → Email**, enter the new address and confirm it from the email we send there. From then on you sign ` +
      `in with the new address; your pipelines and history stay the same.

## You no longer have access to the old address

If you cannot sign in because the old mailbox is gone, ask an admin of your workspace to change your email under ` +
      `**Settings → Members**. If you are the only admin, contact support from the new address and we verify ` +
      `your ownership before changing it.`,
  },
  {
    externalId: 'invitations',
    title: 'Invitations to a workspace',
    intents: ['account_access', 'how_to'],
    tags: ['account', 'team'],
    body:
      `## Invite a teammate

Admins invite people under **Settings → Members → Invite**: enter their email and pick a role (Admin, Editor or ` +
      `Viewer). The invitee gets an email with a link to join.

## The invitation link expired

Invitation links are valid for 7 days. Ask an admin to click **Resend invitation** next to your name under ` +
      `**Settings → Members**; the old link stops working and a new one is sent.`,
  },
  // Two-factor authentication.
  {
    externalId: 'two-factor-new-phone',
    title: 'Move two-factor authentication to a new phone',
    intents: ['two_factor'],
    tags: ['account', 'security'],
    body:
      `## You changed or lost your phone

Codes come from the authenticator app on your old phone, so a new phone does not produce valid codes until you set ` +
      `it up again. If you still have the old phone, sign in with it, go to **Settings → Security**, click ` +
      `**Reset authenticator** and scan the new QR code with the new phone.

If the old phone is gone, sign in with a recovery code instead of a six-digit code, then reset the authenticator as ` +
      `above. Without a recovery code, an admin of your workspace can reset two-factor authentication for you ` +
      `under **Settings → Members**.`,
  },
  {
    externalId: 'two-factor-codes',
    title: 'Two-factor codes are not accepted',
    intents: ['two_factor'],
    tags: ['account', 'security'],
    body:
      `## "Invalid code" when signing in

Six-digit codes change every 30 seconds and depend on your phone's clock. Turn on automatic date and time on your ` +
      `phone, wait for a fresh code and enter it right away.

## Recovery codes

You got ten recovery codes when you enabled two-factor authentication. Each works once in place of a six-digit code. ` +
      `Generate a new set under **Settings → Security → Recovery codes**; the old set stops working.`,
  },
  // Billing.
  {
    externalId: 'billing-details',
    title: 'Billing address, VAT number and billing contact',
    intents: ['billing_invoice'],
    tags: ['billing'],
    body:
      `## Change the company name, address or VAT number on invoices

Edit them under **Settings → Billing → Company details**. The change applies to the next invoice; past invoices ` +
      `cannot be reissued.

## Send invoices to your accounting team

Add a billing contact under **Settings → Billing → Billing contacts**. Every new invoice and receipt is emailed to ` +
      `each billing contact as a PDF.`,
  },
  {
    externalId: 'invoice-charges',
    title: 'Understand the charges on an invoice',
    intents: ['billing_invoice'],
    tags: ['billing'],
    body:
      `## Prorated charges

When you add seats or upgrade in the middle of a billing period, the next invoice shows a prorated line for the days ` +
      `left in the period. Removing seats gives a credit on the next invoice.

## Receipts for card payments

A receipt is emailed to the billing contacts after each successful card payment and can be downloaded next to the ` +
      `invoice under **Settings → Billing → Invoices**.`,
  },
  {
    externalId: 'seats',
    title: 'Add or remove seats',
    intents: ['billing_plan_change'],
    tags: ['billing', 'team'],
    body:
      `## Change the number of seats

Go to **Settings → Billing → Seats** and set the number of seats you need. Added seats are billed at once, prorated ` +
      `for the rest of the period. Removed seats are credited on the next invoice.

A seat is taken by every member who is not deactivated. Deactivate people who left under **Settings → Members** to ` +
      `free their seat.`,
  },
  {
    externalId: 'plan-comparison',
    title: 'Plans and what they include',
    intents: ['billing_plan_change'],
    tags: ['billing', 'pricing'],
    body:
      `## Free, Pro and Enterprise

Free includes 3 pipelines and 1,000 runs a month. Pro includes unlimited pipelines, 50,000 runs a month, Slack ` +
      `alerts and email support. Enterprise adds single sign-on, audit logs, a 99.9% uptime commitment and a ` +
      `named success manager.

## Monthly or annual billing

You can switch between monthly and annual billing under **Settings → Billing → Plan**. Annual billing costs the same ` +
      `as ten months. A switch to annual takes effect at once; a switch to monthly at the end of the annual ` +
      `period.`,
  },
  {
    externalId: 'trial',
    title: 'Your free trial',
    intents: ['billing_plan_change'],
    tags: ['billing'],
    body:
      `## How the trial works

A new workspace gets every Pro feature free for 14 days, with no card needed. When the trial ends without a card on ` +
      `file, the workspace moves to the Free plan and nothing is deleted.

## Keep Pro after the trial

Add a card under **Settings → Billing → Payment method** and choose Pro under **Settings → Billing → Plan** before ` +
      `the trial ends.`,
  },
  {
    externalId: 'payment-declined',
    title: 'Why a card is declined',
    intents: ['billing_failed_payment'],
    tags: ['billing'],
    body:
      `## Common reasons for a declined card

Banks decline a charge when the card has expired, the billing address does not match, the limit is reached, or the ` +
      `bank wants a 3D Secure confirmation. Check the card details under **Settings → Billing → Payment ` +
      `method**, then click **Retry payment** on the open invoice.

## Paying by bank transfer

Annual Enterprise plans can pay by bank transfer. The bank details are printed on the invoice.`,
  },
  {
    externalId: 'past-due',
    title: 'Account past due or suspended for non-payment',
    intents: ['billing_failed_payment'],
    tags: ['billing'],
    body:
      `## What happens when an invoice stays unpaid

We retry a failed payment three times over seven days and email the billing contacts each time. If the invoice is ` +
      `still unpaid 14 days after the first failure, pipelines are paused and the workspace is read-only until ` +
      `it is paid.

## Unlock a suspended workspace

Pay the open invoice under **Settings → Billing → Invoices** or update the card under **Settings → Billing → Payment ` +
      `method**. Pipelines resume within a few minutes of the payment.`,
  },
  {
    externalId: 'refund-policy',
    title: 'Refund policy',
    intents: ['billing_refund'],
    tags: ['billing'],
    body:
      `## When we refund

Monthly plans are not refunded for a partly used month. Annual plans cancelled within 30 days of payment are ` +
      `refunded in full. A duplicate charge is always refunded. Our billing team handles every refund request ` +
      `personally.`,
  },
  // Data, integrations and how-to.
  {
    externalId: 'api-export',
    title: 'Export data with the API',
    intents: ['data_export'],
    tags: ['export', 'api'],
    body:
      `## Export runs with the REST API

Create an API token under **Settings → API tokens**, then call GET /v1/pipelines/{id}/runs with the token as a ` +
      `Bearer header. Results come in pages of 100 runs; follow the next link to get the rest.

## Export to your warehouse

Add a destination under **Settings → Destinations** to copy the run history into Snowflake, BigQuery or PostgreSQL ` +
      `every hour.`,
  },
  {
    externalId: 'data-retention',
    title: 'How long we keep your data',
    intents: ['data_export', 'security_privacy'],
    tags: ['data', 'privacy'],
    body:
      `## Retention of run history

Free workspaces keep 30 days of run history, Pro workspaces 1 year and Enterprise workspaces 3 years. Export older ` +
      `runs as CSV before they age out.

## Delete your data

An owner can delete the workspace under **Settings → Data → Delete workspace**. Everything is deleted within 30 ` +
      `days, backups included.`,
  },
  {
    externalId: 'webhooks',
    title: 'Webhooks for pipeline events',
    intents: ['integrations'],
    tags: ['integrations', 'api'],
    body:
      `## Send run events to your own endpoint

Go to **Settings → Integrations → Webhooks**, click **Add endpoint** and enter an HTTPS URL. Pipewise sends a POST ` +
      `request with a JSON body whenever a run starts, succeeds or fails.

## Verify and retry

Every request carries an X-Pipewise-Signature header, an HMAC-SHA256 of the body with your endpoint's secret. A ` +
      `request that does not get a 2xx answer is retried for 24 hours.`,
  },
  {
    externalId: 'warehouse-connections',
    title: 'Connect a database or warehouse',
    intents: ['integrations'],
    tags: ['integrations', 'sources'],
    body:
      `## Add a source or destination

Go to **Settings → Connections → New connection** and pick Snowflake, BigQuery, Redshift, PostgreSQL or MySQL. Enter ` +
      `the host, database, user and password, then click **Test connection**.

## The connection test fails

Allow our IP addresses 34.120.10.1 and 34.120.10.2 in your firewall. For Snowflake, the user needs the USAGE ` +
      `privilege on the warehouse and the database.`,
  },
  {
    externalId: 'schedule-pipeline',
    title: 'Schedule a pipeline',
    intents: ['how_to'],
    tags: ['pipelines'],
    body:
      `## Run a pipeline on a schedule

Open the pipeline, click **Schedule** and choose an interval (every 15 minutes, hourly, daily or weekly) or write a ` +
      `cron expression. Schedules run in the workspace's time zone, set under **Settings → General**.

## Pause a schedule

Click **Schedule → Pause** on the pipeline. Runs already started finish; no new ones start until you resume.`,
  },
  {
    externalId: 'retry-run',
    title: 'Re-run a failed run',
    intents: ['how_to'],
    tags: ['pipelines'],
    body:
      `## Retry a failed run

Open the pipeline's **Runs** tab, click the failed run and then **Retry**. The run starts again from the step that ` +
      `failed, with the same input.

## Retry automatically

Under **Pipeline settings → Retries**, set how many times a failed step is retried (up to 5) and the wait between ` +
      `tries.`,
  },
  {
    externalId: 'roles',
    title: 'Roles and permissions',
    intents: ['how_to'],
    tags: ['team'],
    body:
      `## What each role can do

Admins manage billing, members and every pipeline. Editors create and edit pipelines. Viewers see pipelines and runs ` +
      `but change nothing.

## Change someone's role

Admins change a member's role under **Settings → Members**: open the member and pick the new role. The change ` +
      `applies immediately.`,
  },
  {
    externalId: 'email-alerts',
    title: 'Email alerts and notification settings',
    intents: ['how_to', 'integrations'],
    tags: ['notifications'],
    body:
      `## Get an email when a run fails

Open the pipeline, go to **Alerts** and turn on **Email me when a run fails**. Add more addresses to alert your team.

## Too many emails

Choose which emails you get under **Profile → Notifications**. You can switch from one email per failed run to a ` +
      `daily summary.`,
  },
  {
    externalId: 'status-page',
    title: 'Service status and incidents',
    intents: ['outage'],
    tags: ['status'],
    body:
      `## Check whether Pipewise is down

The live status of every part of Pipewise is at status.pipewise.example. Subscribe there to get an email or a Slack ` +
      `message when an incident starts and ends.`,
  },
  {
    externalId: 'security-overview',
    title: 'Security at Pipewise',
    intents: ['security_privacy'],
    tags: ['security', 'privacy'],
    body:
      `## How we protect your data

Data is encrypted in transit with TLS 1.2 or later and at rest with AES-256. Pipewise is SOC 2 Type II audited; ` +
      `Enterprise customers can request the report and sign a data processing agreement with their success ` +
      `manager.`,
  },
];

/** Playbooks: which intents the assistant may answer from the knowledge base, and which always go to a human. */
export const DEMO_PLAYBOOKS: {
  intent: string;
  kind: 'answer' | 'handoff';
  mode: 'auto' | 'shadow';
  template?: string;
}[] = [
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
