/**
 * The simulator's light door: what a process that runs an engine, but no simulation, needs.
 * A real-disk child process (real/child.ts) starts once per kill -9 and loads only this: the
 * engine contract and the checks of what an engine returns, the reference engine's adapter, and
 * whether powercut runs from its source.
 * It imports nothing of the simulated world (disk, scheduler, runner, checkers), which would
 * cost such a child about a third of its start-up. Everything here is also exported by the
 * full door, `sim/index.ts`.
 */
export {
  codeUnderTestFrames, defineEngine, describeError, describeThrown, failureNote, thrownAt, engineFailureCodes, failureOf, isIoLikeError, isProgrammingError, lsnOf,
  type CommitAck, type DamageContract, type Engine, type EngineConfig, type EngineEnvironment, type EngineFailure, type EngineFailureCode, type EngineHandle, type RecoveryReport, type SizeLimits,
} from './engine-contract.ts';
export { checkGetResult, checkHandle, recoveredState } from './engine-results.ts';
export { referenceEngine, engineDefinition, type EngineBuild } from './adapters/reference.ts';
export { runningFromSource } from './node/package-root.ts';
