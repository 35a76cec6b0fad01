/** Parsers for flag values shared by several commands; each throws a UsageError that names the flag. */
import { InvalidArgumentError } from 'commander';
import { secretProblem } from '../protocol/index.js';
import { UsageError } from './errors.js';

export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  }
  return Number(value);
}

export function integerInRange(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

export function parseHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL; give one like http://127.0.0.1:3000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`"${value}" must be an http:// or https:// URL.`);
  }
  return url.toString().replace(/\/$/, '');
}

/** The secret comes from --secret or WP_REALTIME_SECRET; refusing a missing or weak one is a usage error. */
export function requireSecret(secret: string | undefined, command: string): string {
  const problem = secretProblem(secret);
  if (problem) {
    throw new UsageError(
      `${command}: ${problem}; pass --secret <s> or set WP_REALTIME_SECRET (make one with \`wp-realtime secret\`)`,
    );
  }
  return secret as string;
}
