/**
 * The fs facade's door: Node's `fs` over the simulated disk, in this process
 * ({@link installFacadeRoutes}, {@link installFacade}) or in a child process through the preload
 * ({@link runUnderFacade}, `powercut exec`), and its errors.
 */
export { installFacade, installFacadeRoutes, installedFacade, removeFacadeRoutes, withFacade, withFacadeBoundTo, type InstalledFacade } from './install.ts';
export { NoActiveRunError, UnsupportedFsCallError, type NodeFsError } from './errors.ts';
export { powerLossImage, preloadEnvOf, preloadPath, runUnderFacade, type ChildRun, type PreloadSettings, type RunUnderFacadeOptions } from './child.ts';
export { preloadEnv, PreloadConfigError, readPreloadConfig, type PreloadConfig } from './preload-config.ts';
export { readImageFile, readStatusFile, writeImageFile, writeStatusFile, type PreloadStatus } from './preload-files.ts';
