/**
 * @clawrock/gateway: an OpenAI- and Anthropic-compatible HTTP gateway to Amazon Bedrock.
 */
import { Cause, Effect, Exit, Scope } from "effect"
import * as Gateway from "./Gateway.js"

export * as AnthropicMessages from "./AnthropicMessages.js"
export * as ApiError from "./ApiError.js"
export * as Auth from "./Auth.js"
export * as Gateway from "./Gateway.js"
export * as Images from "./Images.js"
export * as Metrics from "./Metrics.js"
export * as Models from "./Models.js"
export * as OpenAiChat from "./OpenAiChat.js"
export * as Server from "./Server.js"

export interface StartedGateway {
  readonly url: string
  readonly baseUrl: string
  readonly upstream: string
  /** drains open streams (bounded), stops listening and stops the embedded emulator if one was started */
  close(): Promise<void>
}

/** Promise facade: starts the gateway and resolves once it listens. Rejects with a `GatewayError`. */
export const startGateway = async (options: Gateway.GatewayOptions = {}): Promise<StartedGateway> => {
  const scope = Scope.makeUnsafe()
  const exit = await Effect.runPromiseExit(Scope.provide(Gateway.start(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  const running = exit.value
  return {
    url: running.url,
    baseUrl: running.baseUrl,
    upstream: running.upstream,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
