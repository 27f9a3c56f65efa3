/**
 * Locations and contents of the AWS shared config and credentials files, located from a given environment the way the
 * SDK locates them (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`).
 */
import { homedir } from "node:os"
import { join } from "node:path"
import type { Profile } from "@smithy/shared-ini-file-loader"
import { type Env, nonBlank } from "./envScope.js"

export interface SharedFiles {
  /** Shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`). */
  readonly filepath: string
  /** Shared config file (`AWS_CONFIG_FILE`). */
  readonly configFilepath: string
}

export const homeDir = (env: Env): string =>
  nonBlank(env.HOME) ??
  nonBlank(env.USERPROFILE) ??
  (env.HOMEPATH ? `${env.HOMEDRIVE ?? "C:\\"}${env.HOMEPATH}` : homedir())

const expandHome = (path: string, env: Env): string =>
  path.startsWith("~/") ? join(homeDir(env), path.slice(2)) : path

export const sharedFiles = (env: Env): SharedFiles => ({
  filepath: expandHome(nonBlank(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(homeDir(env), ".aws", "credentials"), env),
  configFilepath: expandHome(nonBlank(env.AWS_CONFIG_FILE) ?? join(homeDir(env), ".aws", "config"), env)
})

/** The profile named by `AWS_PROFILE`, when set. */
export const envProfile = (env: Env): string | undefined => nonBlank(env.AWS_PROFILE)

export interface LoadedProfile {
  /** Keys from both files, the config file winning (as the SDK merges them for credentials). */
  readonly merged: Profile | undefined
  /** Keys from the config file only (where `region` lives). */
  readonly config: Profile | undefined
  readonly credentials: Profile | undefined
}

/** Reads one profile from the shared files; missing or unreadable files count as empty, as in the SDK. */
export const loadProfile = async (files: SharedFiles, profile: string): Promise<LoadedProfile> => {
  // Loaded on first use: importing this package must not pay for the SDK's config loaders.
  const { loadSharedConfigFiles } = await import("@smithy/shared-ini-file-loader")
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ...files, ignoreCache: true })
  const config = configFile[profile]
  const credentials = credentialsFile[profile]
  const merged = config || credentials ? { ...credentials, ...config } : undefined
  return { merged, config, credentials }
}
