/**
 * Preloaded into every server under test (`node --expose-gc --import probe.js …`) so that the servers themselves stay
 * unmodified: over the IPC channel the orchestrator asks for memory after a full GC.
 */
interface MemoryRequest {
  benchProbe: 'memory';
  requestId: number;
}

function isMemoryRequest(message: unknown): message is MemoryRequest {
  return typeof message === 'object' && message !== null && (message as MemoryRequest).benchProbe === 'memory';
}

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the bench probe needs node --expose-gc');
  // Several passes with a turn of the event loop between them let weak callbacks and finalizers run.
  for (let pass = 0; pass < 3; pass++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isMemoryRequest(message)) return;
    settledMemory().then(
      (memory) => process.send?.({ benchProbe: 'memory', requestId: message.requestId, memory }),
      (error: Error) => process.send?.({ benchProbe: 'memory', requestId: message.requestId, error: error.message }),
    );
  });
  // The IPC channel must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
