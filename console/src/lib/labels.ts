import { useEffect, useState } from 'react';
import { api } from './api.js';
import { humanize, type IntentLabel } from '../../../src/domain/explain.js';

let cache: Promise<Map<string, string>> | null = null;

/** Intent ids as people read them ("data_export" → "Data export"), from the workspace's taxonomy (loaded once). */
export function useIntentLabels(): IntentLabel {
  const [labels, setLabels] = useState<Map<string, string> | null>(null);
  useEffect(() => {
    cache ??= api<{ data: { id: string; label: string }[] }>('GET', '/taxonomy').then(
      (r) => new Map(r.data.map((t) => [t.id, t.label])),
      () => new Map(),
    );
    void cache.then(setLabels);
  }, []);
  return (id: string) => labels?.get(id) ?? humanize(id);
}
