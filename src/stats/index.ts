/** Statistics for paired baseline/candidate comparisons: pure functions, no I/O, no dependencies. */
export { binomialCdf, binomialLogCdf, binomialLogPmf, binomialUpperTail, clopperPearson } from "./binomial.js";
export {
  type BootstrapOptions,
  type BootstrapResult,
  bootstrapInterval,
  bootstrapTail,
  bootstrapTwoSidedP,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  pairedBootstrap,
  pooledMean,
  pooledQuantile,
  pooledSum,
  type Statistic,
} from "./bootstrap.js";
export {
  asClusters,
  buildClusters,
  type ClusterInput,
  type Clusters,
  clusterCount,
  clusterMeans,
  clusterSize,
  clusterSizes,
  clusterSums,
  clusterTotal,
  clusterValues,
  pickClusters,
} from "./clusters.js";
export { mean, quantile, sortedCopy, stdev, variance } from "./descriptive.js";
export { holmAdjust } from "./holm.js";
export { mcnemarExact, mcnemarGreater } from "./mcnemar.js";
export { normalCdf, normalQuantile, normalTwoSidedP, Z_95, zForConfidence } from "./normal.js";
export { type ClusteredMeanDiff, clusteredMeanDiff, type MeanDiffResult, pairedTInterval } from "./paired-mean.js";
export {
  type Interval,
  newcombePairedDiffCI,
  type PairedCounts,
  pairedCounts,
  pairedDelta,
  wilsonInterval,
} from "./paired-proportion.js";
export { casesForPower } from "./power.js";
export { createRng, type Rng } from "./rng.js";
export { logBeta, logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from "./special.js";
export { tCdf, tQuantile, tTwoSidedP } from "./student-t.js";
