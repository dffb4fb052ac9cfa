import { spawn, execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/index.js';
import { waitFor } from './helpers-wait.js';
import { ROOT, TEMPLATE_DIR } from './template.js';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'deskmind.js');
const dirs: string[] = [];

/** A data folder copied from the migrated template (a fresh initdb takes seconds). */
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-cli-'));
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const env = (dir: string) => ({ ...process.env, DESKMIND_DATA_DIR: dir, DESKMIND_LOG_LEVEL: 'warn', DATABASE_URL: '' });

/** Starts a long-running command and resolves with its first stdout line. */
function startUntilLine(args: string[], dir: string, extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env(dir), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, firstLine };
}

/** Runs a command to its end (no deadline: the test's timeout only ends a hang) and gives its exit code and output. */
function exited(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const stopped = (child: ReturnType<typeof spawn>) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('deskmind CLI', () => {
  it('has --help on every command', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    const commands = [...stdout.matchAll(/^ {2}([a-z-]+)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help' && !c.startsWith('-'));
    expect(commands).toEqual(expect.arrayContaining(['serve', 'worker', 'migrate', 'create-workspace', 'demo']));
    // Each command's help, in-process (one CLI start costs seconds on a loaded machine).
    const program = buildProgram();
    for (const c of commands) {
      const command = program.commands.find((x) => x.name() === c);
      expect(command, c).toBeDefined();
      expect(command!.helpInformation(), c).toMatch(/^Usage: deskmind /);
    }
  });

  it('runs as the README writes it, `npx deskmind …` from the repository, without rebuilding', async () => {
    const dir = dataDir();
    // A first run: npx links the repository into its own (here empty) cache and runs `prepare`, which finds dist/
    // up to date. Offline: linking the folder needs no registry.
    const cache = mkdtempSync(path.join(tmpdir(), 'deskmind-npx-'));
    dirs.push(cache);
    const npxEnv = {
      ...env(dir),
      npm_config_cache: cache,
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
    };
    const cli = path.join(ROOT, 'dist', 'cli', 'index.js');
    const built = statSync(cli).mtimeMs;
    const npx = (...args: string[]) => exited('npx', ['deskmind', ...args], { cwd: ROOT, env: npxEnv });
    const help = await npx('--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: deskmind /);
    expect(help.stdout).toMatch(/^ {2}backup /m);
    const out = path.join(cache, 'backup-2026-11-27.tar.gz');
    const backup = await npx('backup', '--out', out);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`Backed up ${dir} to ${out}`);
    expect(statSync(out).size).toBeGreaterThan(0);
    // npx ran the repository's own build (a link to it, not a copy), and did not rebuild it
    const [installed] = readdirSync(path.join(cache, '_npx'));
    expect(realpathSync(path.join(cache, '_npx', installed!, 'node_modules', 'deskmind'))).toBe(realpathSync(ROOT));
    expect(statSync(cli).mtimeMs).toBe(built);
  });

  it('creates a workspace, then serves it on the same data folder', async () => {
    const dir = dataDir();
    const { stdout } = await run(
      process.execPath,
      [BIN, 'create-workspace', '--name', 'Acme', '--admin-email', 'Ada@Acme.example', '--json'],
      { env: env(dir) },
    );
    const created = JSON.parse(stdout.trim()) as {
      workspaceId: string;
      apiKey: string;
      adminEmail: string;
      adminPassword: string;
    };
    expect(created.apiKey).toMatch(/^dm_/);
    expect(created.adminEmail).toBe('ada@acme.example');
    expect(created.adminPassword.length).toBeGreaterThanOrEqual(16);
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], { env: env(dir), stdio: 'ignore' });
    try {
      const base = `http://127.0.0.1:${port}`;
      // Waits until it is ready (or gone), with no deadline of its own: the test's timeout ends a hang.
      await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`deskmind serve exited with ${child.exitCode}`);
        return fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      });
      const res = await fetch(`${base}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          subject: 'Hello',
          message: { text: 'How do I reset my password?' },
          customer: { email: 'x@example.com' },
        }),
      });
      expect(res.status).toBe(201);
      // The first admin's console login works.
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: created.adminEmail, password: created.adminPassword }),
      });
      expect(login.status).toBe(200);
      const me = await fetch(`${base}/api/v1/auth/me`, {
        headers: { cookie: String(login.headers.get('set-cookie')).split(';')[0]! },
      });
      expect(await me.json()).toMatchObject({
        workspaceId: created.workspaceId,
        agent: { email: 'ada@acme.example', role: 'admin' },
      });
    } finally {
      expect(await stopped(child)).toBe(0);
    }
  });

  it(
    'starts the demo on DESKMIND_PORT, prints its credentials as the first JSON line, and keeps one admin ' + 'key',
    async () => {
      const dir = dataDir();
      const port = await freePort();
      const { child, firstLine } = startUntilLine(['demo', '--json'], dir, { DESKMIND_PORT: String(port) });
      try {
        const creds = JSON.parse(await firstLine) as {
          url: string;
          apiKey: string;
          agentEmail: string;
          agentPassword: string;
          workspaceId: string;
        };
        expect(creds.url).toBe(`http://127.0.0.1:${port}`);
        const login = await fetch(`${creds.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: creds.agentEmail, password: creds.agentPassword }),
        });
        expect(login.status).toBe(200);
        const list = await fetch(`${creds.url}/api/v1/tickets`, {
          headers: { authorization: `Bearer ${creds.apiKey}` },
        });
        const body = (await list.json()) as { data: unknown[] };
        expect(body.data.length).toBeGreaterThanOrEqual(5);
        const accounts = (await (
          await fetch(`${creds.url}/api/v1/accounts`, { headers: { authorization: `Bearer ${creds.apiKey}` } })
        ).json()) as { data: { tier: string }[] };
        expect(new Set(accounts.data.map((a) => a.tier))).toEqual(new Set(['free', 'pro', 'enterprise']));
        await stopped(child);
        // A second start of the same data folder prints the same key and creates none.
        const again = startUntilLine(['demo', '--json'], dir, { DESKMIND_PORT: String(port) });
        try {
          expect(JSON.parse(await again.firstLine)).toMatchObject({
            apiKey: creds.apiKey,
            workspaceId: creds.workspaceId,
          });
          const keys = (await (
            await fetch(`${creds.url}/api/v1/api-keys`, { headers: { authorization: `Bearer ${creds.apiKey}` } })
          ).json()) as { data: { lastUsedAt: string | null }[] };
          expect(keys.data).toHaveLength(1);
          expect(keys.data[0]!.lastUsedAt).not.toBeNull();
        } finally {
          await stopped(again.child);
        }
      } finally {
        await stopped(child);
      }
    },
  );
});
