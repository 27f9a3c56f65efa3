/** Temporary config folders on the real file system, and a file system that fails on demand. */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, FileSystem, Layer, PlatformError } from "effect"
import { ConfigFile } from "../../src/index.js"

export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "clawrock-config-"))

/** A config file with `text` in a fresh folder (no file when `text` is undefined). */
export const configFile = (text?: string): string => {
  const file = path.join(tempDir(), "openclaw.json")
  if (text !== undefined) fs.writeFileSync(file, text)
  return file
}

export const serviceFor = (file: string, fileSystem: Layer.Layer<FileSystem.FileSystem> = NodeFileSystem.layer) =>
  ConfigFile.make({ path: file }).pipe(Effect.provide(fileSystem))

const injected = (method: string) =>
  PlatformError.systemError({ _tag: "PermissionDenied", module: "FileSystem", method, description: "injected failure" })

/** Node's file system, except that `method` fails (for `writeAll`: after writing the first half of the bytes). */
export const failingFileSystem = (
  method: "rename" | "writeAll" | "open" | "chmod"
): Layer.Layer<FileSystem.FileSystem> =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(Effect.service(FileSystem.FileSystem), (real): FileSystem.FileSystem => {
      if (method === "writeAll") {
        return {
          ...real,
          open: (target, options) =>
            Effect.map(real.open(target, options), (handle) => ({
              ...handle,
              writeAll: (bytes: Uint8Array) =>
                handle
                  .writeAll(bytes.subarray(0, Math.floor(bytes.length / 2)))
                  .pipe(Effect.andThen(Effect.fail(injected("writeAll"))))
            }))
        }
      }
      return { ...real, [method]: () => Effect.fail(injected(method)) }
    })
  ).pipe(Layer.provide(NodeFileSystem.layer))

/** Files in the folder of `file` other than the config itself (temp files that should not survive). */
export const strayFiles = (file: string): Array<string> =>
  fs.readdirSync(path.dirname(file)).filter((name) => name !== path.basename(file))
