export * from "./comparison.js";
export * from "./run-report.js";
export * from "./svg-chart.js";
