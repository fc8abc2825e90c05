/**
 * The reports' public API, for the CLI: render a campaign result as summary.json, junit.xml,
 * summary.md and report.html; write them into a folder; read result folders back and merge the
 * shards of a campaign. Renderers are pure functions of their inputs (no clock, no locale).
 */
export type { ReportMeta, CoverageCell, Totals, ScenarioRow, FailingRun, RootCauseGroup } from './figures.ts';
export {
  compareViolations, corpusUnit, coverageCells, runName, needsNoFaultLine, acknowledgedWord, unitsPhrase, determinismLines, legacySites, looksLines, nondeterministic, missedTargets, reportedFaultKinds, rootCauses, scenarioRows, sitesOf, subjectLine, totals, unreachableLine, unreachableTargets,
} from './figures.ts';
export type { ReportInputErrorCode } from './errors.ts';
export { ReportInputError } from './errors.ts';
export { renderJson, rootCausesJson, summarySchema } from './json.ts';
export { renderJunit } from './junit.ts';
export { renderMarkdown } from './markdown.ts';
export { renderHtml } from './html.ts';
export { renderTimeline, renderTraceTable } from './timeline.ts';
export { parseSummary, readResultDir, summaryFileName } from './read.ts';
export { mergeResults } from './merge.ts';
export { sumDigests } from '../harness/index.ts';
export { reportFileNames, writeReports } from './write.ts';
