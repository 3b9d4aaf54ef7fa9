/**
 * Statistics and the circuit breaker of one upstream: after `threshold` consecutive failures the
 * circuit opens and the upstream is skipped (no request, no wait) for `cooldownMs`; then one
 * trial request is let through, and its outcome closes or re-opens the circuit.
 */
import type { UpstreamConfig, UpstreamStats } from './types.js';

export class UpstreamHealth {
  requests = 0;
  failures = 0;
  consecutiveFailures = 0;
  cacheHits = 0;
  cacheMisses = 0;
  private latencyTotal = 0;
  private successes = 0;
  private lastSuccessAt: number | undefined;
  private lastFailureAt: number | undefined;
  private lastError: string | undefined;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    readonly config: UpstreamConfig,
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly clock: () => number,
  ) {}

  get circuit(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.clock() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** May a request go to this upstream now? A half-open circuit lets exactly one through. */
  admit(): boolean {
    const state = this.circuit;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Records a success; true when it closed an open circuit. */
  succeeded(latencyMs: number): boolean {
    this.requests++;
    this.successes++;
    this.latencyTotal += latencyMs;
    this.consecutiveFailures = 0;
    this.lastSuccessAt = this.clock();
    this.trialInFlight = false;
    const wasOpen = this.openedAt !== undefined;
    this.openedAt = undefined;
    return wasOpen;
  }

  /** Records a failure; true when it opened the circuit. */
  failed(message: string): boolean {
    this.requests++;
    this.failures++;
    this.consecutiveFailures++;
    this.lastFailureAt = this.clock();
    this.lastError = message;
    const trial = this.trialInFlight;
    this.trialInFlight = false;
    if (trial || (this.openedAt === undefined && this.consecutiveFailures >= this.threshold)) {
      const opened = this.openedAt === undefined;
      this.openedAt = this.clock();
      return opened;
    }
    return false;
  }

  stats(): UpstreamStats {
    const reads = this.cacheHits + this.cacheMisses;
    return {
      location: this.config.location,
      priority: this.config.priority,
      circuit: this.circuit,
      requests: this.requests,
      failures: this.failures,
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastSuccessAt !== undefined ? { lastSuccess: new Date(this.lastSuccessAt).toISOString() } : {}),
      ...(this.lastFailureAt !== undefined ? { lastFailure: new Date(this.lastFailureAt).toISOString() } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.successes > 0 ? { meanLatencyMs: Math.round((this.latencyTotal / this.successes) * 100) / 100 } : {}),
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      cacheHitRate: reads === 0 ? null : this.cacheHits / reads,
    };
  }
}
