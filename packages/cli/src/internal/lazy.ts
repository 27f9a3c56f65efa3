/**
 * Command handlers live in modules loaded on first use, so parsing arguments and printing help never pay
 * for the code (and the AWS SDK) behind the other commands.
 */
import * as Effect from "effect/Effect"

export const lazy =
  <M, Input, E, R>(load: () => Promise<M>, pick: (module: M) => (input: Input) => Effect.Effect<void, E, R>) =>
  (input: Input): Effect.Effect<void, E, R> =>
    Effect.flatMap(Effect.promise(load), (module) => pick(module)(input))
