import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from './api.js';

/** Loads `path` and keeps the result, with a reload and the last error. */
export function useResource<T>(path: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(async () => {
    try {
      setData(await api<T>('GET', path));
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  }, [path]);
  useEffect(() => void reload(), [reload]);
  return { data, error, reload, setError };
}
