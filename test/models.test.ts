import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactModels, loadModel, saveModel } from '../src/learning/models.js';
import { createWorkspace } from '../src/people/create-workspace.js';
import { models } from '../src/store/schema.js';
import { openTestDatabase } from './helpers.js';

describe('model versions', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
    await database?.cleanup();
  });

  it('drops the weights of all but the newest versions of each model, keeping their metrics', async () => {
    const a = (await createWorkspace(database.db, { name: 'A' })).workspace.id;
    const b = (await createWorkspace(database.db, { name: 'B' })).workspace.id;
    for (let v = 1; v <= 13; v++)
      await saveModel(database.db, a, 'compact-test', new Uint8Array([v, v, v]), { accuracy: v / 100 });
    for (let v = 1; v <= 3; v++) await saveModel(database.db, b, 'compact-test', new Uint8Array([v]), {});

    expect(await compactModels(database.db, 10)).toBe(3);
    expect(await compactModels(database.db, 10)).toBe(0);

    const rows = (await database.db.select().from(models)).filter((r) => r.kind === 'compact-test');
    const sizes = (ws: string) =>
      rows
        .filter((r) => r.workspaceId === ws)
        .sort((x, y) => x.version - y.version)
        .map((r) => r.data.length);
    expect(sizes(a)).toEqual([0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(sizes(b)).toEqual([1, 1, 1]);
    expect(rows.find((r) => r.workspaceId === a && r.version === 1)!.metrics).toEqual({ accuracy: 0.01 });
    expect((await loadModel(database.db, a, 'compact-test'))!.data).toEqual(new Uint8Array([13, 13, 13]));
  });
});
