/** The behaviour table (./behaviour.ts) for socket.io-client 3.x: it speaks engine.io protocol 4, as 4.x does. */
import { socketIoV3 } from './drivers.js';
import { runBehaviourTable } from './behaviour.js';

runBehaviourTable(socketIoV3);
