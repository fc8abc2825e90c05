/**
 * Property tests run from a fixed seed, so that a CI run is reproducible like everything else
 * in powercut. Set FC_SEED to explore other inputs (fast-check prints the seed of a failure).
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261122) });
