import { percentile } from '../common';
import type { OfferRecord, Trace } from './trace';

/** The figures a dispatcher is judged by, and the invariants a run must keep, from a trace. */

export interface Summary {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface Report {
  label: string;
  date: string;
  commit: string;
  /** ranked when offers carried expiresAt, broadcast when they did not. */
  mode: 'ranked' | 'broadcast' | 'no offers';
  options: Trace['options'];
  setupSeconds: number;
  measuredSeconds: number;
  /** Cores the API process used over the measured run (only when the simulator started it). */
  apiCpu?: { meanCores: number; peakCores: number };
  requests: {
    arrivals: number;
    /** Answered 201. */
    created: number;
    /** Answered anything else, by status. */
    refused: Record<string, number>;
    noFreeRider: number;
    matched: number;
    matchedShare: number | null;
    completed: number;
    /** Cancelled by the API's timeout (no_drivers_available). */
    expired: number;
    cancelledBySimulator: number;
    completedBySimulator: number;
    finalStates: Record<string, number>;
  };
  requestToAcceptMs: Summary;
  pickupKm: Summary;
  /** Distinct drivers offered each ride (rides offered to nobody count as 0). */
  offersPerRide: Summary;
  ridesOfferedToNobody: number;
  driverUtilisation: number | null;
  offers: {
    received: number;
    withExpiry: number;
    /** Most offers one driver held live at the same time (broadcast: typically many). */
    mostHeldAtOnce: number;
    endings: Record<string, number>;
  };
  counters: Trace['counters'];
  unexpected: Record<string, number>;
  /** Every value behind the summaries, for charts and later comparisons. */
  samples: { requestToAcceptMs: number[]; pickupKm: number[] };
  invariants: {
    /** Requests that did not end COMPLETED or CANCELLED with a reason (or were refused). */
    undefinedEnds: { index: number; rideId: number | null; state: string }[];
    /** Pairs of expiring offers one driver held at once (the ranked "one live offer" rule). */
    doubleOffers: { driver: number; first: number; second: number; overlapMs: number }[];
    /** Whether doubleOffers could be checked: offers carried expiresAt. */
    doubleOffersChecked: boolean;
    simulatorErrors: string[];
    held: boolean;
  };
}

/** Clock granularity between the API's timestamps and ours: shorter overlaps are not counted. */
const OVERLAP_TOLERANCE_MS = 50;

export function summarise(values: number[]): Summary {
  if (values.length === 0) {
    return { count: 0, mean: null, p50: null, p95: null, p99: null, max: null };
  }
  return {
    count: values.length,
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

function tally<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * Offers with an expiry that one driver held at once. An offer is held from its ride.offered until
 * the driver answered it (when the answer was sent), ride.taken arrived, or expiresAt passed.
 */
export function doubleOffers(offers: OfferRecord[]): Report['invariants']['doubleOffers'] {
  const found: Report['invariants']['doubleOffers'] = [];
  const byDriver = new Map<number, OfferRecord[]>();
  for (const offer of offers) {
    if (offer.expiresAt === null) continue;
    byDriver.set(offer.driver, [...(byDriver.get(offer.driver) ?? []), offer]);
  }
  for (const [driver, held] of byDriver) {
    const sorted = [...held].sort((a, b) => a.receivedAt - b.receivedAt);
    let open = sorted[0];
    for (const next of sorted.slice(1)) {
      const openEnd = open.endedAt ?? Infinity;
      const overlapMs = openEnd - next.receivedAt;
      if (overlapMs > OVERLAP_TOLERANCE_MS) {
        found.push({ driver, first: open.rideId, second: next.rideId, overlapMs });
      }
      if ((next.endedAt ?? Infinity) > openEnd) open = next;
    }
  }
  return found;
}

/** The largest number of offers (of any kind) one driver held at the same moment. */
function mostHeldAtOnce(offers: OfferRecord[]): number {
  const events = new Map<number, [number, number][]>();
  for (const offer of offers) {
    const list = events.get(offer.driver) ?? [];
    list.push([offer.receivedAt, 1], [offer.endedAt ?? Infinity, -1]);
    events.set(offer.driver, list);
  }
  let most = 0;
  for (const list of events.values()) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let held = 0;
    for (const [, change] of list) {
      held += change;
      most = Math.max(most, held);
    }
  }
  return most;
}

function utilisation(trace: Trace): number | null {
  const span = trace.endedAt - trace.startedAt;
  if (span <= 0 || trace.options.drivers === 0) return null;
  const busy = trace.busy.reduce((sum, stretch) => {
    const from = Math.max(stretch.from, trace.startedAt);
    const to = Math.min(stretch.to, trace.endedAt);
    return sum + Math.max(0, to - from);
  }, 0);
  return busy / (span * trace.options.drivers);
}

export function buildReport(trace: Trace, label: string, commit: string): Report {
  const created = trace.requests.filter((request) => request.rideId !== null);
  const acceptByRide = new Map(trace.accepts.map((accept) => [accept.rideId, accept]));
  const waits: number[] = [];
  const pickups: number[] = [];
  for (const request of created) {
    const accept = acceptByRide.get(request.rideId!);
    if (!accept) continue;
    waits.push(accept.at - request.sentAt);
    pickups.push(accept.pickupKm);
  }
  const offeredTo = new Map<number, Set<number>>();
  for (const offer of trace.offers) {
    offeredTo.set(offer.rideId, (offeredTo.get(offer.rideId) ?? new Set()).add(offer.driver));
  }
  const perRide = created.map((request) => offeredTo.get(request.rideId!)?.size ?? 0);
  const withExpiry = trace.offers.filter((offer) => offer.expiresAt !== null).length;

  const undefinedEnds = trace.requests
    .filter(
      (request) =>
        request.rideId === null ||
        !(
          request.finalStatus === 'COMPLETED' ||
          (request.finalStatus === 'CANCELLED' && request.cancelReason)
        ),
    )
    .map((request) => ({
      index: request.index,
      rideId: request.rideId,
      state:
        request.rideId === null
          ? `refused: HTTP ${request.createStatus}${request.refusal ? ` (${request.refusal})` : ''}`
          : `${request.finalStatus}${request.cancelReason ? ` (${request.cancelReason})` : ''}`,
    }));
  const doubles = doubleOffers(trace.offers);

  return {
    label,
    date: new Date(trace.endedAt).toISOString(),
    commit,
    mode: withExpiry > 0 ? 'ranked' : trace.offers.length > 0 ? 'broadcast' : 'no offers',
    options: trace.options,
    setupSeconds: trace.setupMs / 1000,
    measuredSeconds: (trace.endedAt - trace.startedAt) / 1000,
    requests: {
      arrivals: trace.requests.length + trace.counters.noFreeRider,
      created: created.length,
      refused: tally(
        trace.requests.filter((request) => request.rideId === null),
        (request) => String(request.createStatus),
      ),
      noFreeRider: trace.counters.noFreeRider,
      matched: waits.length,
      matchedShare: created.length > 0 ? waits.length / created.length : null,
      completed: created.filter((request) => request.finalStatus === 'COMPLETED').length,
      expired: created.filter((request) => request.cancelReason === 'no_drivers_available').length,
      cancelledBySimulator: created.filter((request) => request.endedBySimulator === 'cancelled')
        .length,
      completedBySimulator: created.filter((request) => request.endedBySimulator === 'completed')
        .length,
      finalStates: tally(created, (request) =>
        request.finalStatus === 'CANCELLED'
          ? `CANCELLED (${request.cancelReason ?? 'no reason'})`
          : (request.finalStatus ?? 'unknown'),
      ),
    },
    requestToAcceptMs: summarise(waits),
    pickupKm: summarise(pickups),
    offersPerRide: summarise(perRide),
    ridesOfferedToNobody: perRide.filter((count) => count === 0).length,
    driverUtilisation: utilisation(trace),
    offers: {
      received: trace.offers.length,
      withExpiry,
      mostHeldAtOnce: mostHeldAtOnce(trace.offers),
      endings: tally(trace.offers, (offer) => offer.ending ?? 'open'),
    },
    counters: trace.counters,
    unexpected: trace.unexpected,
    samples: {
      requestToAcceptMs: waits,
      pickupKm: pickups.map((km) => Math.round(km * 1000) / 1000),
    },
    invariants: {
      undefinedEnds,
      doubleOffers: doubles,
      doubleOffersChecked: withExpiry > 0,
      simulatorErrors: trace.errors,
      held: undefinedEnds.length === 0 && doubles.length === 0 && trace.errors.length === 0,
    },
  };
}

// ── printing ───────────────────────────────────────────────────────────────────────────────

const fixed = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
const share = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** The rows of the comparison: one figure per line, the same for one run or several. */
const FIGURES: [string, (report: Report) => string][] = [
  ['dispatch (seen from offers)', (r) => r.mode],
  ['set-up: sign-up, login, sockets, online', (r) => `${r.setupSeconds.toFixed(1)} s`],
  ['requests (created / arrivals)', (r) => `${r.requests.created} / ${r.requests.arrivals}`],
  [
    'API CPU, cores: mean / busiest second',
    (r) => (r.apiCpu ? `${r.apiCpu.meanCores.toFixed(2)} / ${r.apiCpu.peakCores.toFixed(2)}` : '–'),
  ],
  ['matched (accepted) share', (r) => share(r.requests.matchedShare)],
  ['request → accept p50', (r) => seconds(r.requestToAcceptMs.p50)],
  ['request → accept p95', (r) => seconds(r.requestToAcceptMs.p95)],
  ['request → accept p99', (r) => seconds(r.requestToAcceptMs.p99)],
  ['pickup distance mean', (r) => `${fixed(r.pickupKm.mean, 2)} km`],
  ['pickup distance p95', (r) => `${fixed(r.pickupKm.p95, 2)} km`],
  ['drivers offered per ride, mean', (r) => fixed(r.offersPerRide.mean, 1)],
  [
    'drivers offered per ride, p95 / max',
    (r) => `${fixed(r.offersPerRide.p95)} / ${fixed(r.offersPerRide.max)}`,
  ],
  ['rides offered to nobody', (r) => String(r.ridesOfferedToNobody)],
  ['expired (no_drivers_available)', (r) => String(r.requests.expired)],
  ['completed', (r) => String(r.requests.completed)],
  [
    'ended by the simulator at the bound',
    (r) =>
      `${r.requests.cancelledBySimulator} cancelled, ${r.requests.completedBySimulator} completed`,
  ],
  ['driver utilisation', (r) => share(r.driverUtilisation)],
  ['accepts won / sent', (r) => `${r.counters.acceptsWon} / ${r.counters.acceptsSent}`],
  [
    'declines sent (answers)',
    (r) =>
      `${r.counters.declinesSent} (${
        Object.entries(r.counters.declineAnswers)
          .map(([status, count]) => `${status}: ${count}`)
          .join(', ') || 'none'
      })`,
  ],
  ['rides taken up from GET /rides/open after a trip', (r) => String(r.counters.openListed)],
  ['most offers one driver held at once', (r) => String(r.offers.mostHeldAtOnce)],
  [
    'every request ended defined',
    (r) =>
      r.invariants.undefinedEnds.length === 0
        ? 'yes'
        : `**no** (${r.invariants.undefinedEnds.length})`,
  ],
  [
    'no driver held two live offers',
    (r) =>
      !r.invariants.doubleOffersChecked
        ? 'n/a (offers do not expire)'
        : r.invariants.doubleOffers.length === 0
          ? 'yes'
          : `**no** (${r.invariants.doubleOffers.length})`,
  ],
  [
    'unexpected answers (5xx, network)',
    (r) => String(Object.values(r.unexpected).reduce((sum, n) => sum + n, 0)),
  ],
];

function markdown(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    format(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(format),
  ].join('\n');
}

/** One run, or several side by side (the README's comparison): a Markdown table. */
export function table(reports: Report[]): string {
  return markdown(
    ['figure', ...reports.map((report) => report.label)],
    FIGURES.map(([name, value]) => [name, ...reports.map(value)]),
  );
}

/** What the run was: one line above the table. */
export function describe(report: Report): string {
  const o = report.options;
  return (
    `${report.label}: ${o.drivers} drivers, ${o.rate} requests/s for ${o.seconds} s (at most ` +
    `${o.maxRequests}), seed ${o.seed}, accept p ${o.acceptProbability}, reaction ~${o.reactionMs} ms, ` +
    `${o.speedKmh} km/h ×${o.timeScale}; set-up ${report.setupSeconds.toFixed(1)} s, measured ` +
    `${report.measuredSeconds.toFixed(1)} s; commit ${report.commit}`
  );
}
