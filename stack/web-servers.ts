/**
 * The two production web servers, each from Debian's packages with a config written for one instance: Apache 2.4
 * prefork + mod_php, or nginx + php-fpm. Config, pid files, sockets, locks and logs all live under the instance's
 * state dir; workers run as www-data. Nothing under /etc is changed, and no system service is used.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { portAnswers } from './ports.js';
import { endLeftover, startServer, waitForServer, type ServerProcess } from './server-process.js';
import { shortSocketPath } from './socket-path.js';

export type RealServer = 'apache' | 'nginx';

export const WEB_USER = 'www-data';
const APACHE = '/usr/sbin/apache2';
const APACHE_MODULES = '/usr/lib/apache2/modules';
const NGINX = '/usr/sbin/nginx';
const PHP_FPM = '/usr/sbin/php-fpm8.2';
const MOD_PHP = `${APACHE_MODULES}/libphp8.2.so`;

/** What a server needs on this machine, with the packages that bring it (for skip notices and errors). */
export function missingForServer(server: RealServer): { missing: string[]; packages: string } {
  const needs = server === 'apache' ? [APACHE, MOD_PHP] : [NGINX, PHP_FPM];
  const packages = server === 'apache' ? 'apache2 libapache2-mod-php php-mysql' : 'nginx php-fpm php-mysql';
  return { missing: needs.filter((file) => !existsSync(file)), packages };
}

export interface WebServerLayout {
  stateDir: string;
  siteDir: string;
  port: number;
}

interface Dirs {
  runDir: string;
  logDir: string;
  confDir: string;
}

async function dirs(stateDir: string): Promise<Dirs> {
  const result = { runDir: join(stateDir, 'run'), logDir: join(stateDir, 'logs'), confDir: join(stateDir, 'conf') };
  for (const dir of Object.values(result)) await mkdir(dir, { recursive: true });
  return result;
}

function apacheConfig(layout: WebServerLayout, d: Dirs): string {
  const modules = ['mpm_prefork', 'authz_core', 'authz_host', 'dir', 'mime', 'rewrite', 'env', 'setenvif', 'alias', 'headers'];
  return [
    `# Written by wp-realtime's harness for ${layout.stateDir}; regenerated on every start.`,
    `ServerRoot "${d.confDir}"`,
    `PidFile "${join(d.runDir, 'apache2.pid')}"`,
    `Mutex file:${d.runDir} default`,
    `DefaultRuntimeDir "${d.runDir}"`,
    `ErrorLog "${join(d.logDir, 'apache-error.log')}"`,
    'LogLevel warn',
    ...modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
    `LoadModule php_module ${MOD_PHP}`,
    `User ${WEB_USER}`,
    `Group ${WEB_USER}`,
    `Listen 127.0.0.1:${layout.port}`,
    'ServerName localhost',
    // Debian's mpm_prefork.conf. With 8 workers one Chromium visitor's idle keep-alive connections (up to 6, each
    // holding a prefork child for KeepAliveTimeout, 5 s) plus the admin's left the plugin's loopback waiting for a
    // free child for up to 2.6 s ("server reached MaxRequestWorkers" in the error log; docs/benchmarks.md).
    '<IfModule mpm_prefork_module>',
    '  StartServers 5',
    '  MinSpareServers 5',
    '  MaxSpareServers 10',
    '  MaxRequestWorkers 150',
    '  MaxConnectionsPerChild 0',
    '</IfModule>',
    `TypesConfig /etc/mime.types`,
    'LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" timed',
    `CustomLog "${join(d.logDir, 'apache-access.log')}" timed`,
    `DocumentRoot "${layout.siteDir}"`,
    '<Directory />',
    '  AllowOverride None',
    '  Require all denied',
    '</Directory>',
    `<Directory "${layout.siteDir}">`,
    '  Options FollowSymLinks',
    // WordPress writes its rewrite rules into .htaccess, as on a shared host.
    '  AllowOverride All',
    '  Require all granted',
    '</Directory>',
    'DirectoryIndex index.php index.html',
    '<FilesMatch "\\.php$">',
    '  SetHandler application/x-httpd-php',
    '</FilesMatch>',
    '',
  ].join('\n');
}

export async function startApache(layout: WebServerLayout): Promise<ServerProcess[]> {
  const d = await dirs(layout.stateDir);
  await endLeftover(d.runDir, 'apache', 'apache2');
  const conf = join(d.confDir, 'apache2.conf');
  await writeFile(conf, apacheConfig(layout, d));
  if (await portAnswers(layout.port)) throw new StackError(`port ${layout.port} (for WordPress) is already in use; stop what runs there or choose another port`);
  const server = await startServer({ name: 'apache', command: APACHE, args: ['-f', conf, '-DFOREGROUND'], runDir: d.runDir, logDir: d.logDir, env: { ...process.env, LANG: 'C' } });
  await waitForServer(server, () => portAnswers(layout.port), 30_000, 'listening');
  return [server];
}

function phpFpmConfig(layout: WebServerLayout, d: Dirs, socket: string): string {
  return [
    '; Written by wp-realtime\'s harness; regenerated on every start.',
    '[global]',
    `pid = ${join(d.runDir, 'php-fpm.pid')}`,
    `error_log = ${join(d.logDir, 'php-fpm.log')}`,
    'daemonize = no',
    '[www]',
    `user = ${WEB_USER}`,
    `group = ${WEB_USER}`,
    `listen = ${socket}`,
    `listen.owner = ${WEB_USER}`,
    `listen.group = ${WEB_USER}`,
    'listen.mode = 0660',
    'pm = dynamic',
    'pm.max_children = 8',
    'pm.start_servers = 2',
    'pm.min_spare_servers = 2',
    'pm.max_spare_servers = 4',
    'catch_workers_output = yes',
    `php_admin_value[error_log] = ${join(d.logDir, 'php-error.log')}`,
    // PHP's messages go to that log, not into the FastCGI response: WordPress 6.1 on PHP 8.2 logs dozens of
    // deprecations per request, which nginx otherwise reads as an oversized header and answers 502.
    'php_admin_flag[fastcgi.logging] = off',
    '',
  ].join('\n');
}

function nginxConfig(layout: WebServerLayout, d: Dirs, socket: string): string {
  const temp = (name: string): string => join(d.runDir, `nginx-${name}`);
  return [
    `# Written by wp-realtime's harness for ${layout.stateDir}; regenerated on every start.`,
    // Without it the workers run as nobody.
    `user ${WEB_USER};`,
    'worker_processes 2;',
    `pid ${join(d.runDir, 'nginx.pid')};`,
    `error_log ${join(d.logDir, 'nginx-error.log')} warn;`,
    'daemon off;',
    'events { worker_connections 512; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    `  access_log ${join(d.logDir, 'nginx-access.log')};`,
    `  client_body_temp_path ${temp('body')};`,
    `  proxy_temp_path ${temp('proxy')};`,
    `  fastcgi_temp_path ${temp('fastcgi')};`,
    `  uwsgi_temp_path ${temp('uwsgi')};`,
    `  scgi_temp_path ${temp('scgi')};`,
    '  client_max_body_size 64m;',
    '  server {',
    `    listen 127.0.0.1:${layout.port};`,
    '    server_name localhost;',
    `    root ${layout.siteDir};`,
    '    index index.php index.html;',
    // WordPress's own rules for nginx: anything that is not a file goes to index.php (pretty permalinks).
    '    location / { try_files $uri $uri/ /index.php?$args; }',
    '    location ~ \\.php$ {',
    '      try_files $uri =404;',
    '      include /etc/nginx/fastcgi_params;',
    '      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;',
    // Debian's fastcgi_params passes HTTP_HOST as $host, which drops the port: WordPress on a port other than 80
    // would then redirect to itself.
    '      fastcgi_param HTTP_HOST $http_host;',
    `      fastcgi_pass unix:${socket};`,
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function startNginx(layout: WebServerLayout): Promise<ServerProcess[]> {
  const d = await dirs(layout.stateDir);
  await endLeftover(d.runDir, 'nginx', 'nginx');
  await endLeftover(d.runDir, 'php-fpm', 'php-fpm');
  const socket = shortSocketPath(join(d.runDir, 'php-fpm.sock'));
  const fpmConf = join(d.confDir, 'php-fpm.conf');
  const nginxConf = join(d.confDir, 'nginx.conf');
  await rm(socket, { force: true });
  await writeFile(fpmConf, phpFpmConfig(layout, d, socket));
  await writeFile(nginxConf, nginxConfig(layout, d, socket));
  if (await portAnswers(layout.port)) throw new StackError(`port ${layout.port} (for WordPress) is already in use; stop what runs there or choose another port`);
  const fpm = await startServer({ name: 'php-fpm', command: PHP_FPM, args: ['--nodaemonize', '--fpm-config', fpmConf], runDir: d.runDir, logDir: d.logDir });
  try {
    await waitForServer(fpm, async () => existsSync(socket), 30_000, 'its socket');
    // -e: nginx opens its compiled-in error log before reading the config; keep even that one in the state dir.
    const nginx = await startServer({
      name: 'nginx',
      command: NGINX,
      args: ['-c', nginxConf, '-p', d.runDir, '-e', join(d.logDir, 'nginx-error.log')],
      runDir: d.runDir,
      logDir: d.logDir,
    });
    await waitForServer(nginx, () => portAnswers(layout.port), 30_000, 'listening');
    return [nginx, fpm];
  } catch (error) {
    await fpm.stop();
    throw error;
  }
}
