import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactModels, lastTrainedModel, loadModel, saveModel } from '../src/learning/models.js';
import { createWorkspace } from '../src/people/create-workspace.js';
import { models } from '../src/store/schema.js';
import { backends, openTestDatabase } from './helpers.js';

describe.each(backends())('model versions on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
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

  it('keeps the weights of the newest trained version, the base the retrain guard rebuilds from', async () => {
    const ws = (await createWorkspace(database.db, { name: 'C' })).workspace.id;
    await saveModel(database.db, ws, 'trained-test', new Uint8Array([1]), { source: 'starter-taxonomy' });
    await saveModel(database.db, ws, 'trained-test', new Uint8Array([2]), { source: 'retrain' });
    for (let v = 3; v <= 15; v++)
      await saveModel(database.db, ws, 'trained-test', new Uint8Array([v]), { source: 'online' });
    expect(await compactModels(database.db, 10)).toBe(4); // versions 1, 3, 4, 5 — not the retrain (2)
    const sizes = (await database.db.select().from(models))
      .filter((r) => r.kind === 'trained-test')
      .sort((x, y) => x.version - y.version)
      .map((r) => r.data.length);
    expect(sizes).toEqual([0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await lastTrainedModel(database.db, ws, 'trained-test')).toMatchObject({
      version: 2,
      data: new Uint8Array([2]),
    });
    // a newer training takes over: the older one's weights go with the next compaction
    await saveModel(database.db, ws, 'trained-test', new Uint8Array([16]), { source: 'retrain' });
    expect((await lastTrainedModel(database.db, ws, 'trained-test'))!.version).toBe(16);
    expect(await compactModels(database.db, 10)).toBe(2); // versions 2 and 6
    expect(await lastTrainedModel(database.db, ws, 'no-such-kind')).toBeNull();
  });
});
