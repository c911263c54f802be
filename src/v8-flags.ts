import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts: no allocation-site pretenuring for the API process. Under load V8
 * judged two object literals made once per request to be long-lived (with
 * `--trace-pretenuring-statistics`: both sites "tenure", every object of theirs found alive) and
 * from then on allocated them in the old generation. Each, dead within a millisecond but old, kept
 * what it pointed to (the request's response and its headers, by a sampling heap profile) alive
 * through every young collection until the next full one, which then came every second or so. In
 * that state, entered in about half of the runs, a fifth of every young collection survived, a
 * cached read cost 1.5 to 2 times its CPU, and the heap grew to 430 MB. Without pretenuring, no run
 * entered it.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
