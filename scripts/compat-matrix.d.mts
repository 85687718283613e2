// Types for scripts/compat-matrix.mjs (plain JS so scripts/test.mjs runs it without a build step).
import type { CompatRow } from '../test/support/compat-matrix';
export declare const RESULTS_DIR: string;
export declare const MEASURED_DIR: string;
export declare const DOC_PATH: string;
export declare const GROUPS: readonly ['servers', 'clients'];
export declare function rowKey(r: Pick<CompatRow, 'client' | 'server' | 'labMode'>): string;
export declare function readRunRows(dir?: string): CompatRow[];
export declare function measuredPath(group: CompatRow['group']): string;
export declare function readMeasured(group: CompatRow['group']): CompatRow[];
export declare function renderTable(rows: CompatRow[]): string;
export declare const BEGIN: string;
export declare const END: string;
export declare function renderDoc(measured?: Record<string, CompatRow[]>): string;
export declare function generatedPart(page: string): string;
export declare function splicePage(page: string, part?: string): string;
export declare function renderText(rows: CompatRow[]): string;
export declare function update(dir?: string): number;
