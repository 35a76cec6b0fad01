import { describe, expect, it } from 'vitest';
import { createReplayStore, type KeyValueStorage, replayKey } from '../src/client/replay-store.js';

function memoryStorage(): KeyValueStorage & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, getItem: (key) => values.get(key) ?? null, setItem: (key, value) => void values.set(key, value) };
}

const throwing: KeyValueStorage = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
};

describe('replay store', () => {
  it('gives back the last id written under its key', () => {
    const storage = memoryStorage();
    const store = createReplayStore(storage, replayKey('/news/', 0));
    expect(store.read()).toBeUndefined();
    store.write('evt-1');
    store.write('evt-2');
    expect(store.read()).toBe('evt-2');
    expect(createReplayStore(storage, replayKey('/news/', 0)).read()).toBe('evt-2');
  });

  it('keeps blocks and pages apart', () => {
    expect(new Set([replayKey('/a/', 0), replayKey('/a/', 1), replayKey('/b/', 0)]).size).toBe(3);
    const storage = memoryStorage();
    createReplayStore(storage, replayKey('/a/', 0)).write('evt-1');
    expect(createReplayStore(storage, replayKey('/a/', 1)).read()).toBeUndefined();
  });

  it('ignores a stored value that is not an event id (it would make the relay refuse the handshake)', () => {
    const storage = memoryStorage();
    storage.setItem('k', 'not an id!');
    expect(createReplayStore(storage, 'k').read()).toBeUndefined();
  });

  it('works without storage, and never throws when storage does', () => {
    expect(createReplayStore(null, 'k').read()).toBeUndefined();
    const store = createReplayStore(throwing, 'k');
    expect(() => store.write('evt-1')).not.toThrow();
    expect(store.read()).toBeUndefined();
  });
});
