/**
 * Which Node runs `sherpa`. Node 20 reached end of life in April 2026; the CLI, the lab and the tests run
 * on the current LTS lines. A clone gets Node 24 from the npm registry as the devDependency `node`, and
 * npm puts node_modules/.bin first on PATH for every `npm start` / `npm test` / `npm run sherpa`, so those
 * commands use it even on a machine whose own Node is 20. Started some other way on an old Node, the
 * command still runs (nothing here needs 22-only APIs) but says once how to get a supported runtime.
 */
export const SUPPORTED_NODE_MAJORS = [22, 24] as const;

/** A one-line warning for an unsupported Node, or undefined when the running one is fine. */
export function runtimeWarning(version: string = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major >= SUPPORTED_NODE_MAJORS[0]) return undefined;
  return (
    `sherpa: running on Node ${version}, which is past its end of life; Sherpa is built and tested on ` +
    `Node ${SUPPORTED_NODE_MAJORS.join(' and ')}. Run it through npm (npm start, npm run sherpa -- …), ` +
    `which uses the project's own Node 24 from \`npm install\`, or install Node 22 or later.`
  );
}
