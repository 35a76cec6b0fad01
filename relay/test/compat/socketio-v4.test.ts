/** The behaviour table (./behaviour.ts) for socket.io-client 4.x, the block's client and the recipe's. */
import { socketIoV4 } from './drivers.js';
import { runBehaviourTable } from './behaviour.js';

runBehaviourTable(socketIoV4);
