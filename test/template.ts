import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The migrated PGlite folder the global setup prepares. */
export const TEMPLATE_DIR = path.join(ROOT, '.tmp', 'pglite-template');
