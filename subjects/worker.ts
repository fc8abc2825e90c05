/**
 * A campaign worker thread: serves seeds (harness/worker.ts) of the subject its `workerData`
 * names, loaded here with the loader that knows every kind of subject. It imports the harness's
 * worker module alone, not the harness's index: a worker needs none of the rest, and every module
 * loaded is start-up time.
 */
import { serveSeeds } from '../harness/worker.ts';
import { loadSubject } from './load.ts';

serveSeeds(loadSubject);
