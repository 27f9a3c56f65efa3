/**
 * Hands events from the SDK read loop (plain promises) to a Stream's pull. A waiting pull is resumed once the
 * producer's current burst is over (`setImmediate`: the SDK decodes a whole network chunk in microtasks first),
 * with everything buffered so far, so the Stream machinery runs once per chunk rather than once per event.
 */
import { Cause, Channel, Effect, type Pull, type Scope, Stream } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"

type Resume<A, E> = (effect: Effect.Effect<NonEmptyReadonlyArray<A>, E | Cause.Done>) => void

class Handoff<A, E> {
  private buffer: A[] = []
  private waiting: Resume<A, E> | undefined
  private scheduled = false
  private ending: Effect.Effect<never, E | Cause.Done> | undefined

  readonly offer = (value: A): void => {
    this.buffer.push(value)
    this.wake()
  }

  readonly end = (): void => {
    this.ending = Cause.done()
    this.wake()
  }

  readonly fail = (error: E): void => {
    this.ending = Effect.fail(error)
    this.wake()
  }

  readonly pull: Pull.Pull<NonEmptyReadonlyArray<A>, E> = Effect.callback((resume: Resume<A, E>) => {
    if (!this.deliver(resume)) this.waiting = resume
    return Effect.sync(() => {
      this.waiting = undefined
    })
  })

  private wake(): void {
    if (this.waiting === undefined || this.scheduled) return
    this.scheduled = true
    setImmediate(this.flush)
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const waiting = this.waiting
    if (waiting === undefined || !this.ready()) return
    // Cleared first: resuming runs the consumer, which may already wait again.
    this.waiting = undefined
    this.deliver(waiting)
  }

  private ready(): boolean {
    return this.buffer.length > 0 || this.ending !== undefined
  }

  private deliver(resume: Resume<A, E>): boolean {
    if (this.buffer.length > 0) {
      const values = this.buffer as unknown as NonEmptyReadonlyArray<A>
      this.buffer = []
      resume(Effect.succeed(values))
      return true
    }
    if (this.ending !== undefined) {
      resume(this.ending)
      return true
    }
    return false
  }
}

/**
 * A stream fed by `produce`, which is forked into the stream's scope (interrupting or ending the stream
 * interrupts it) and gets `offer`, `end` and `fail`.
 */
export const handoffStream = <A, E, R>(
  produce: (handoff: {
    readonly offer: (value: A) => void
    readonly end: () => void
    readonly fail: (error: E) => void
  }) => Effect.Effect<void, never, R>
): Stream.Stream<A, E, R> =>
  Stream.fromChannel(
    Channel.fromTransform((_upstream, scope: Scope.Scope) =>
      Effect.suspend(() => {
        const handoff = new Handoff<A, E>()
        return Effect.as(Effect.forkIn(produce(handoff), scope), handoff.pull)
      })
    )
  )
