// The sandbox page in a real browser (Debian's chromium driven by playwright-core): a deploy requested, approved and
// followed to the end by clicking, as a new user would try it; screenshots go to dist/test-artifacts/sandbox/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/web/sandbox.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const SKIPPED = available ? '' : ` — SKIPPED: no browser at ${CHROMIUM} (apt-get install chromium to run it; nothing is downloaded)`;
const ARTIFACTS = join(process.cwd(), 'dist/test-artifacts/sandbox');

describe.skipIf(!available)(`the sandbox page in chromium${SKIPPED}`, () => {
  let sandbox: Sandbox;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox({ port: 0, pace: 'fast', logLevel: 'silent' });
    profile = mkdtempSync(join(tmpdir(), 'flightdeck-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${sandbox.url}/sandbox`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('looks like a Slack workspace: channels, people to act as, a composer', async () => {
    await page.locator('#channels a', { hasText: 'incidents' }).waitFor();
    expect(await page.locator('#channels').innerText()).toMatch(/# deploys[\s\S]*# incidents/);
    const people = await page.locator('#person option').allTextContents();
    expect(people.some((p) => p.startsWith('Dana Developer'))).toBe(true);
    expect(people.some((p) => p.startsWith('Lee Lead') && p.includes('approves staging'))).toBe(true);
    expect(await page.locator('#composer-input').isVisible()).toBe(true);
  });

  it('takes /deploy staging v3.0.0 from the requester, an Approve click from the approver, and shows the thread to the end', async () => {
    await page.selectOption('#person', 'U0DEV');
    await page.locator('#composer-input').fill('/deploy staging v3.0.0');
    await page.locator('#composer-input').press('Enter');
    const request = page.locator('.message', { has: page.getByRole('button', { name: 'Approve' }) });
    await request.waitFor({ timeout: 15_000 });
    expect(await request.innerText()).toContain('staging');
    await page.locator('.message.ephemeral', { hasText: 'Only visible to you' }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '1-requested.png') });

    await page.selectOption('#person', 'U0LEAD');
    await request.getByRole('button', { name: 'Approve' }).click();
    const done = page.locator('.message', { hasText: /Deployed v3\.0\.0 to staging/ });
    await done.waitFor({ timeout: 20_000 });
    expect(await done.innerText()).toContain('(edited)');
    await done.locator('.replies').click();
    await page.locator('#thread-messages .message', { hasText: /synced to .* and healthy/i }).last().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, '2-deployed.png') });

    // The clicks were real: the overlay in git moved and Argo CD synced that commit.
    const overlay = await sandbox.world.github.readFile('acme/gitops', 'k8s/overlays/staging/kustomization.yaml');
    expect(overlay).toContain('newTag: v3.0.0');
    const head = await sandbox.world.github.headSha('acme/gitops');
    expect(sandbox.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging')?.status?.sync?.revision).toBe(head);
  }, 60_000);

  it('shows text people typed as text: a lock reason with markup neither runs nor renders as HTML', async () => {
    await page.selectOption('#person', 'U0LEAD');
    await page.locator('#composer-input').fill('/deploy lock production <img src=x onerror="window.pwned=1"> *not bold* <!channel>');
    await page.locator('#composer-input').press('Enter');
    const lock = page.locator('.message:not(.ephemeral)', { hasText: 'onerror' });
    await lock.waitFor({ timeout: 10_000 });
    expect(await lock.locator('img').count()).toBe(0);
    expect(await lock.innerText()).toContain('<img src=x onerror="window.pwned=1">');
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, '3-locked.png') });
  });

  it('declares an incident: its channel appears, on-call acknowledges, and the Resolve modal resolves it', async () => {
    await page.selectOption('#person', 'U0DEV');
    await page.locator('#composer-input').fill('/incident sev1 checkout is failing');
    await page.locator('#composer-input').press('Enter');
    const channel = page.locator('#channels a', { hasText: 'inc-1-checkout-is-failing' });
    await channel.waitFor({ timeout: 10_000 });
    await channel.click();
    const card = page.locator('.message', { has: page.getByRole('button', { name: 'Acknowledge' }) });
    await card.waitFor({ timeout: 10_000 });
    expect(await page.locator('#channel-topic').innerText()).toContain('SEV');

    await page.selectOption('#person', 'U0ONCALL');
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.message', { hasText: /Acknowledged by/ }).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, '4-incident.png') });

    await page.locator('.message').getByRole('button', { name: 'Resolve' }).first().click();
    const modal = page.locator('#modal');
    await modal.locator('textarea').waitFor({ timeout: 10_000 });
    await modal.locator('textarea').fill('Rolled back the cart change.');
    await page.screenshot({ path: join(ARTIFACTS, '5-resolve-modal.png') });
    await modal.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('#modal-backdrop.hidden').waitFor({ state: 'attached', timeout: 10_000 });
    await page.locator('.message', { hasText: /Time to resolve/ }).first().waitFor({ timeout: 10_000 });
    const incident = await sandbox.app.store.getIncident(1);
    expect(incident?.state).toBe('resolved');
  }, 60_000);

  it('shows a refusal only to the person who typed the command', async () => {
    await page.selectOption('#person', 'U0DEV');
    await page.locator('#composer-input').fill('/deploy nowhere v3.0.0');
    await page.locator('#composer-input').press('Enter');
    const refusal = page.locator('.message.ephemeral', { hasText: 'nowhere' });
    await refusal.waitFor({ timeout: 10_000 });
    await page.selectOption('#person', 'U0LEAD');
    await refusal.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.locator('#messages').innerText()).not.toContain('nowhere');
  });
});
