// A harness process for real-stack.test.ts: starts a real stack from the built code, prints its URL, then waits to be
// stopped (SIGTERM: stops the stack) or killed (SIGKILL: the servers must go by themselves).
import { join } from 'node:path';
const [root, projectDir, runtime, port] = process.argv.slice(2);
const { startWordPress } = await import(join(root, 'dist', 'stack', 'wordpress.js'));
const wordpress = await startWordPress({ projectDir, instance: 'stacktest', runtime, port: Number(port), configPlugins: false, onProgress: () => {} });
process.stdout.write(`READY ${wordpress.url}\n`);
process.once('SIGTERM', () => void wordpress.stop().then(() => process.exit(0)));
setInterval(() => {}, 1000);
