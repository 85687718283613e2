// Types for scripts/tools-bicep.mjs (plain JS so the installer runs without a build step).
export declare const BICEP: Readonly<{ packageId: string; version: string; sha512: string }>;
export declare function nugetSource(): string;
export declare function unzipEntry(zip: Buffer, wanted: string): Buffer;
export declare function ensureBicep(
  cacheRoot: string,
  tools: {
    run: (cmd: string, args: string[], o?: { quiet?: boolean }) => string;
    log: (msg: string) => void;
  },
): Promise<{ bin: string; version: string; packageId: string; sha512: string }>;
