/**
 * A campaign worker thread: serves seeds (harness/worker.ts) of the subject its `workerData`
 * names, loaded here with the loader that knows every kind of subject.
 */
import { serveSeeds } from '../harness/index.ts';
import { loadSubject } from './load.ts';

serveSeeds(loadSubject);
