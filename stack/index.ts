/** The local stack used by `wp-realtime dev` and the e2e harness: a real WordPress (wp-env, or Apache/nginx + MariaDB) and a relay process. */
export { type CronPump, type CronPumpOptions, startCronPump } from './cron-pump.js';
export { StackError } from './errors.js';
export { relayProcess, type RelayProcess, type RelayProcessOptions } from './relay-process.js';
export {
  chooseRuntime,
  dockerEngineRuns,
  hostUrlFromWordPress,
  isWordPressRuntime,
  listenHostFor,
  WORDPRESS_RUNTIMES,
  type WordPressRuntime,
  type WpEnvRuntime,
} from './runtime.js';
export { startWordPress, type RunningWordPress, type StartWordPressOptions, type WpConfigValue } from './wordpress.js';
