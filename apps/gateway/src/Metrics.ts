/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway instance: requests by route and status,
 * errors by type, time to first token and duration histograms, active streams, tokens in and out.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client"

export interface Metrics {
  readonly registry: Registry
  readonly requests: Counter<"route" | "status">
  readonly errors: Counter<"route" | "type">
  readonly ttft: Histogram<"route">
  readonly duration: Histogram<"route">
  readonly activeStreams: Gauge
  readonly tokens: Counter<"direction">
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

export const make = (): Metrics => {
  const registry = new Registry()
  return {
    registry,
    requests: new Counter({
      name: "gateway_requests_total",
      help: "HTTP requests answered, by route and status",
      labelNames: ["route", "status"],
      registers: [registry]
    }),
    errors: new Counter({
      name: "gateway_errors_total",
      help: "Requests that ended in an error, by route and error type",
      labelNames: ["route", "type"],
      registers: [registry]
    }),
    ttft: new Histogram({
      name: "gateway_time_to_first_token_seconds",
      help: "Time from request arrival to the first content from the model",
      labelNames: ["route"],
      buckets: latencyBuckets,
      registers: [registry]
    }),
    duration: new Histogram({
      name: "gateway_request_duration_seconds",
      help: "Time from request arrival to the end of the response",
      labelNames: ["route"],
      buckets: latencyBuckets,
      registers: [registry]
    }),
    activeStreams: new Gauge({
      name: "gateway_active_streams",
      help: "Model calls currently in progress",
      registers: [registry]
    }),
    tokens: new Counter({
      name: "gateway_tokens_total",
      help: "Tokens through the gateway: direction in (prompt, incl. cache) or out (completion)",
      labelNames: ["direction"],
      registers: [registry]
    })
  }
}
