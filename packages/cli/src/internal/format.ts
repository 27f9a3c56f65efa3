/** Short human forms of token counts, ages, money and durations. */

/** 200000 → "200k", 1000000 → "1M", 8192 → "8k". */
export const formatTokens = (tokens: number): string => {
  if (tokens >= 1_000_000) return `${Number((tokens / 1_000_000).toFixed(1))}M`
  if (tokens >= 1000) return `${Math.round(tokens / 1000)}k`
  return String(tokens)
}

/** 42 → "42s", 300 → "5m", 7200 → "2h", 172800 → "2d". */
export const formatAge = (seconds: number): string => {
  if (seconds < 60) return `${Math.round(seconds)}s`
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`
  return `${Math.round(seconds / 86_400)}d`
}

/** US dollars with enough digits to show a fraction of a cent. */
export const formatUsd = (usd: number): string =>
  usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`

/** 850 → "850ms", 1500 → "1.5s". */
export const formatMs = (ms: number): string => (ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`)
