import type { RunReport } from "../types.js";
import { renderHtml } from "./html.js";
import { renderJUnit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";

/** File formats by the name `--format` uses; each is a pure render of report.json. */
export const fileFormats = {
  json: { file: "report.json", render: (report) => `${JSON.stringify(report, null, 2)}\n` },
  md: { file: "report.md", render: (report, options) => renderMarkdown(report, options.reportDir ? { reportDir: options.reportDir } : {}) },
  html: { file: "report.html", render: (report) => renderHtml(report) },
  junit: { file: "junit.xml", render: (report) => renderJUnit(report) },
} satisfies Record<string, { file: string; render: (report: RunReport, options: RenderOptions) => string }>;

export interface RenderOptions {
  /** the folder the report is written to, as the user would type it */
  reportDir?: string;
}

export type FileFormat = keyof typeof fileFormats;
/** `table` is the terminal summary on stdout; the rest are files. */
export const formatNames = ["table", ...Object.keys(fileFormats)] as const;
