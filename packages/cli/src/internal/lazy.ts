/**
 * Handlers behind the AWS SDK live in modules loaded on first use, so parsing arguments, printing help and the
 * warm `models list` never pay for that code.
 */
import * as Effect from "effect/Effect"

export const lazy =
  <M, Input, E, R>(load: () => Promise<M>, pick: (module: M) => (input: Input) => Effect.Effect<void, E, R>) =>
  (input: Input): Effect.Effect<void, E, R> =>
    Effect.flatMap(Effect.promise(load), (module) => pick(module)(input))
