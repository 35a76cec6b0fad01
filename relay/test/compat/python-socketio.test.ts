/**
 * The behaviour table (./behaviour.ts) for python-socketio (Debian's python3-socketio 5.7, with python3-websocket and
 * python3-requests), driven as a child process through ./python_client.py.
 */
import { pythonSocketIo } from './drivers.js';
import { runBehaviourTable } from './behaviour.js';

runBehaviourTable(pythonSocketIo);
