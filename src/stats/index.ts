/** Statistics for paired baseline/candidate comparisons: pure functions, no I/O, no dependencies. */
export { binomialCdf, binomialLogCdf, binomialLogPmf } from "./binomial.js";
export {
  type BootstrapItem,
  type BootstrapOptions,
  type BootstrapResult,
  type CaseWeights,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  type PreparedBootstrap,
  pairedBootstrap,
  pairedBootstrapMany,
  preparePairedBootstrap,
  runPairedBootstraps,
  type StatisticFactory,
  type WeightedStatistic,
} from "./bootstrap.js";
export {
  bootstrapMeanDiff,
  bootstrapPooledMeanDiff,
  bootstrapQuantileDiff,
  gatheredOf,
  meanOf,
  pooledMeanOf,
  pooledQuantileOf,
  pooledSumOf,
} from "./bootstrap-statistics.js";
export { mean, quantile, sortedCopy, stdev, variance } from "./descriptive.js";
export { mcnemarExact } from "./mcnemar.js";
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
export { casesNeededForMean, casesNeededForProportion, casesNeededFromInterval } from "./power.js";
export { createRng, type Rng } from "./rng.js";
export { logBeta, logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from "./special.js";
export { tCdf, tQuantile, tTwoSidedP } from "./student-t.js";
export { createStatisticsPass, type WeightedSumForm, withWeightedSum } from "./weighted-sums.js";
