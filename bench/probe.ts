/**
 * Preloaded into every server under test (`node --expose-gc --import probe.js …`) so that the servers themselves stay
 * unmodified. Over the IPC channel the orchestrator asks for memory after a full GC, and starts and stops a CPU
 * profile around exactly the phase it wants to see (a --cpu-prof profile would mostly show connects and idling),
 * can take heap snapshots to see what a connection costs, and counts its open sockets.
 */
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';

type ProbeRequest =
  | { benchProbe: 'memory'; requestId: number }
  | { benchProbe: 'sockets'; requestId: number }
  | { benchProbe: 'profile-start'; requestId: number }
  | { benchProbe: 'profile-stop'; requestId: number; file: string }
  | { benchProbe: 'heap-snapshot'; requestId: number; file: string };

function isProbeRequest(message: unknown): message is ProbeRequest {
  return typeof message === 'object' && message !== null && typeof (message as ProbeRequest).benchProbe === 'string';
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

let session: Session | null = null;

async function answer(request: ProbeRequest): Promise<Record<string, unknown>> {
  switch (request.benchProbe) {
    case 'memory':
      return { memory: await settledMemory() };
    case 'sockets':
      // Open TCP sockets (listening and connected), for every kind of server alike: the warm-up waits on it.
      return { sockets: process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length };
    case 'profile-start':
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
      return {};
    case 'profile-stop': {
      if (!session) throw new Error('no profile is running');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = null;
      writeFileSync(request.file, JSON.stringify(profile));
      return { file: request.file };
    }
    case 'heap-snapshot':
      await settledMemory();
      return { file: writeHeapSnapshot(request.file) };
  }
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isProbeRequest(message)) return;
    const reply = { benchProbe: message.benchProbe, requestId: message.requestId };
    answer(message).then(
      (result) => process.send?.({ ...reply, ...result }),
      (error: Error) => process.send?.({ ...reply, error: error.message }),
    );
  });
  // The IPC channel must not keep a server alive that would otherwise exit; but when the orchestrator dies, the
  // channel closes and the server goes with it instead of lingering with thousands of sockets.
  process.channel?.unref();
  process.once('disconnect', () => process.exit(0));
}
