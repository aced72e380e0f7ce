import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from '../config/image-reference';
import { PreflightError, UsageError } from './errors';

/** The environment variables that give the preflight registry credentials. */
export const CREDENTIAL_ENV = {
  username: 'REGISTRY_USERNAME',
  password: 'REGISTRY_PASSWORD',
  /** The one registry the two above are sent to; required with them, so they never reach a registry nobody named. */
  host: 'REGISTRY_HOST',
} as const;

/** A username and password for one registry, and where they came from (for messages; never the secret). */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  /** `REGISTRY_USERNAME/REGISTRY_PASSWORD` or the config.json path. */
  readonly source: string;
}

/** Finds the credentials for a registry host, or undefined to go anonymous. */
export type CredentialLookup = (registry: string) => RegistryCredentials | undefined;

interface DockerConfigFile {
  readonly auths?: Record<string, { auth?: string; username?: string; password?: string } | undefined>;
  readonly credsStore?: string;
  readonly credHelpers?: Record<string, string>;
}

/** The folder of Docker's config.json: `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/**
 * Registry hosts the way `docker login` keys them in config.json: Docker Hub appears as
 * `https://index.docker.io/v1/`, others as `host[:port]` with or without a scheme.
 */
export function normalizeRegistryHost(key: string): string {
  const host = key.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host) ? DOCKER_HUB : host;
}

/**
 * The registry that `REGISTRY_USERNAME`/`REGISTRY_PASSWORD` are scoped to (normalized), or undefined when they
 * are not set. Throws UsageError when they are half set, or set without `REGISTRY_HOST`: credentials without a
 * named registry would go to any registry that asks (one named in a scanned manifest, say), so the run stops.
 */
export function environmentCredentialsHost(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const username = env[CREDENTIAL_ENV.username];
  const password = env[CREDENTIAL_ENV.password];
  if (Boolean(username) !== Boolean(password)) {
    throw new UsageError(
      `${username ? CREDENTIAL_ENV.username : CREDENTIAL_ENV.password} is set but ${username ? CREDENTIAL_ENV.password : CREDENTIAL_ENV.username} is not`,
      'Set both, or neither to use ~/.docker/config.json or anonymous access',
    );
  }
  if (!username) return undefined;
  const host = env[CREDENTIAL_ENV.host]?.trim();
  if (!host) {
    throw new UsageError(
      `${CREDENTIAL_ENV.username} and ${CREDENTIAL_ENV.password} are set but ${CREDENTIAL_ENV.host} is not`,
      `Set ${CREDENTIAL_ENV.host} to the one registry they are for (such as ${CREDENTIAL_ENV.host}=registry.gitlab.com); no other registry receives them`,
    );
  }
  return normalizeRegistryHost(host);
}

/**
 * Credentials from the environment for `REGISTRY_HOST` only (CI), then from Docker's config.json `auths`
 * (what `docker login` wrote), each entry for its own host only. Credential helpers (`credsStore`,
 * `credHelpers`) are not run: they need the Docker CLI's helpers.
 */
export function createCredentialLookup(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const onlyHost = environmentCredentialsHost(env);
  const configFile = join(dockerConfigDir(env), 'config.json');
  let config: DockerConfigFile | undefined;

  return (registry) => {
    const host = normalizeRegistryHost(registry);
    if (onlyHost !== undefined && onlyHost === host) {
      return {
        username: env[CREDENTIAL_ENV.username] as string,
        password: env[CREDENTIAL_ENV.password] as string,
        source: `${CREDENTIAL_ENV.username}/${CREDENTIAL_ENV.password}`,
      };
    }
    config ??= readDockerConfig(configFile);
    return fromDockerConfig(config, host, configFile);
  };
}

/**
 * Credentials from one Docker config.json file only (arch-guard's --docker-config, a mounted Secret), each
 * `auths` entry for its own host. Read again on every call, so a rotated Secret applies without a restart;
 * calls are rare (a registry's 401 challenge). Throws PreflightError when the file is missing or not JSON.
 */
export function dockerConfigFileLookup(file: string): CredentialLookup {
  return (registry) => fromDockerConfig(readDockerConfig(file, true), normalizeRegistryHost(registry), file);
}

/** True when config.json names a credential helper for the host, which this tool cannot run (for hints). */
export function usesCredentialHelper(registry: string, env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    const config = readDockerConfig(join(dockerConfigDir(env), 'config.json'));
    const host = normalizeRegistryHost(registry);
    return Boolean(config.credsStore) || Object.keys(config.credHelpers ?? {}).some((k) => normalizeRegistryHost(k) === host);
  } catch {
    return false;
  }
}

function readDockerConfig(file: string, required = false): DockerConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return {};
    throw new PreflightError(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'read error'})`,
      required ? 'Check the --docker-config path, and that the Secret is mounted there' : 'Fix its permissions, or point DOCKER_CONFIG at another folder',
    );
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as DockerConfigFile;
  } catch {
    throw new PreflightError(`${file} is not valid JSON`, 'Fix it, or run docker login again to rewrite it');
  }
}

function fromDockerConfig(config: DockerConfigFile, host: string, file: string): RegistryCredentials | undefined {
  const entry = Object.entries(config.auths ?? {}).find(([key]) => normalizeRegistryHost(key) === host)?.[1];
  if (!entry) return undefined;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, source: file };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    // The message names the host, never the value.
    throw new PreflightError(`the "auth" entry for ${host} in ${file} is not base64 of user:password`, `Run docker login ${host} again`);
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: file };
}
