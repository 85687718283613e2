#!/usr/bin/env node
// STAND-IN for the platform's URL opener (xdg-open / open), put first on PATH by the hostile-server tests.
// It records the argument vector it was started with (one JSON line per call, to $SHERPA_OPENER_RECORD)
// and then acts as the browser would: GET the URL, follow one redirect (the authorization response)
// to wherever it points — which is the CLI's own loopback redirect receiver.
import { appendFileSync } from 'node:fs';

const args = process.argv.slice(2);
appendFileSync(process.env.SHERPA_OPENER_RECORD, JSON.stringify(args) + '\n');
try {
  const res = await fetch(args[0], { redirect: 'manual' });
  const location = res.headers.get('location');
  if (location) await (await fetch(new URL(location, args[0]))).text();
} catch {
  // a browser that cannot load a page shows an error; the CLI times out or is stopped by the test
}
