import fc from "fast-check";
import { expect, test } from "vitest";
import {
  asClusters,
  clusterCount,
  clusterMeans,
  clusterSize,
  clusterSums,
  clusterTotal,
  clusterValues,
  pickClusters,
} from "../../src/stats/index.js";

const lists = fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 4 }), { maxLength: 40 });

test("clusters hold each case's values in order, empty cases included", () => {
  fc.assert(
    fc.property(lists, (cases) => {
      const clusters = asClusters(cases);
      expect(clusterCount(clusters)).toBe(cases.length);
      cases.forEach((values, i) => {
        expect(clusterSize(clusters, i)).toBe(values.length);
        expect(Array.from(clusterValues(clusters, i))).toEqual(values);
      });
      expect(Array.from(clusterSums(clusters))).toEqual(cases.map((values) => values.reduce((a, b) => a + b, 0)));
      expect(clusterMeans(clusters)).toEqual(cases.map((values) => values.reduce((a, b) => a + b, 0) / values.length));
    }),
    { seed: 7, numRuns: 200 },
  );
});

test("picking cases by index gives their clusters in that order, repeats allowed", () => {
  const clusters = asClusters([[1, 2], [], [3], [4, 5, 6]]);
  const picked = pickClusters(clusters, [3, 0, 3, 1]);
  expect(clusterCount(picked)).toBe(4);
  expect([0, 1, 2, 3].map((i) => Array.from(clusterValues(picked, i)))).toEqual([[4, 5, 6], [1, 2], [4, 5, 6], []]);
  expect(asClusters(clusters)).toBe(clusters);
});

test("the total of picked cases is the total of their clusters picked, summed in the same order", () => {
  fc.assert(
    fc.property(lists, fc.array(fc.nat(), { maxLength: 60 }), (cases, picks) => {
      const clusters = asClusters(cases);
      const indices = cases.length === 0 ? [] : picks.map((pick) => pick % cases.length);
      const values = indices.flatMap((i) => cases[i] ?? []);
      // exactly equal, not close: segment metrics must not move by an ulp when computed this way
      expect(clusterTotal(clusters, indices)).toEqual({ total: values.reduce((a, b) => a + b, 0), count: values.length });
      expect(clusterTotal(clusters)).toEqual({ total: cases.flat().reduce((a, b) => a + b, 0), count: cases.flat().length });
    }),
    { seed: 11, numRuns: 200 },
  );
});
