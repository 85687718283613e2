/**
 * `--format junit`: parsed back with a small, strict XML reader (well-formedness of what the formatter can
 * emit: one declaration, elements, quoted attributes, the five entities, no stray `<` or `&`), then the
 * structure a CI dashboard reads: counts, one testcase per check, failure type and body.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKS } from '../../../../src/core/audit/catalogue';
import { toFinding, type AuditReport } from '../../../../src/core/audit/findings';
import { formatJunit, formatReport } from '../../../../src/core/audit/report-format';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decode(s: string): string {
  if (/[<]/.test(s) || /&(?!(amp|lt|gt|quot|apos);)/.test(s))
    throw new Error(`unescaped markup in ${JSON.stringify(s)}`);
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ENTITIES[e]!);
}

/** Parses the subset of XML 1.0 the formatter writes; throws on anything not well-formed. */
function parseXml(xml: string): XmlElement {
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  assert.notEqual(rest, xml, 'XML declaration first');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const TAG = /^<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>/;
  while (rest.length) {
    const lt = rest.indexOf('<');
    const text = lt === -1 ? rest : rest.slice(0, lt);
    stack.at(-1)!.text += decode(text);
    if (lt === -1) break;
    rest = rest.slice(lt);
    const m = TAG.exec(rest);
    if (!m) throw new Error(`malformed tag at ${JSON.stringify(rest.slice(0, 40))}`);
    const [whole, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText!.matchAll(/([\w.-]+)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1]!] = decode(a[2]!);
      }
      const el: XmlElement = { name: name!, attrs, children: [], text: '' };
      stack.at(-1)!.children.push(el);
      if (!selfClose) stack.push(el);
    }
    rest = rest.slice(whole!.length);
  }
  assert.equal(stack.length, 1, `unclosed <${stack.at(-1)!.name}>`);
  assert.equal(root.children.length, 1, 'one root element');
  assert.equal(root.text.trim(), '', 'no text outside the root');
  return root.children[0]!;
}

const hostile = 'evil </failure><x a="1"> & ]]> "q" \u0000\u001b[31m \uFFFE';
const report: AuditReport = {
  target: 'https://mcp.example.com/mcp?a=1&b=<2>',
  startedAt: '2026-12-01T00:00:00.000Z',
  findings: [
    toFinding(CHECKS.prmFound, {
      status: 'fail',
      detail: `none ${hostile}`,
      evidence: [
        { request: 'GET https://mcp.example.com/.well-known/oauth-protected-resource/mcp', status: 404 },
      ],
    }),
    toFinding(CHECKS.challengeScope, { status: 'fail', detail: 'no scope parameter' }),
    toFinding(CHECKS.tokenTampered, { status: 'pass', detail: 'refused (401)' }),
    toFinding(CHECKS.cors, { status: 'warn', detail: 'Access-Control-Allow-Origin: *' }),
    toFinding(CHECKS.tokenExpired, { status: 'skip', detail: 'no expired token' }),
  ],
};

describe('audit report: JUnit XML', () => {
  const xml = formatJunit(report);
  const root = parseXml(xml);

  it('the reader used here rejects what is not well-formed (so passing it means something)', () => {
    const declared = '<?xml version="1.0" encoding="UTF-8"?>\n';
    assert.throws(() => parseXml(`${declared}<a><b></a></b>`), /closes/);
    assert.throws(() => parseXml(`${declared}<a x="1 & 2"/>`), /unescaped/);
    assert.throws(() => parseXml(`${declared}<a>1 < 2</a>`), /malformed tag/);
    assert.throws(() => parseXml(`${declared}<a>`), /unclosed/);
  });

  it('one suite for the server, counts that add up, one testcase per check', () => {
    assert.equal(root.name, 'testsuites');
    const suite = root.children[0]!;
    assert.equal(suite.name, 'testsuite');
    assert.equal(suite.attrs.name, report.target, 'the URL survives escaping exactly');
    for (const el of [root, suite]) {
      assert.equal(el.attrs.tests, '5');
      assert.equal(el.attrs.failures, '2');
      assert.equal(el.attrs.skipped, '1');
      assert.equal(el.attrs.errors, '0');
    }
    const cases = suite.children;
    assert.deepEqual(
      cases.map((c) => [c.name, c.attrs.classname, c.attrs.name!.split(':')[0]]),
      report.findings.map((f) => ['testcase', `sherpa.audit.${f.id.split('.')[0]}`, f.id]),
    );
  });

  it('a failure carries the level as its type, and the remedy, spec and evidence in its body', () => {
    const [prm, scope, tampered, cors, expired] = root.children[0]!.children;
    const failure = prm!.children[0]!;
    assert.equal(failure.name, 'failure');
    assert.equal(failure.attrs.type, 'must');
    assert.equal(scope!.children[0]!.attrs.type, 'should');
    assert.match(failure.text, /remedy: Serve RFC 9728 metadata/);
    assert.match(failure.text, /level: must\nOWASP: MCP07\nspec: MCP authorization 2025-11-25/);
    assert.match(
      failure.text,
      /evidence: GET https:\/\/mcp\.example\.com\/\.well-known\/oauth-protected-resource\/mcp → 404/,
    );
    // The server's text arrives as text: markup escaped, controls made visible, never raw.
    assert.ok(
      failure.attrs.message!.startsWith('none evil </failure><x a="1"> & ]]> "q" ?'),
      failure.attrs.message,
    );
    for (const c of ['\u0000', '\u0008', '\u001b', '\uFFFE'])
      assert.equal(xml.includes(c), false, `no U+${c.charCodeAt(0).toString(16)}: XML 1.0 forbids it`);
    assert.equal(tampered!.children[0]!.name, 'system-out');
    assert.match(tampered!.children[0]!.text, /^PASS: refused \(401\)/);
    assert.match(cors!.children[0]!.text, /^WARN: Access-Control-Allow-Origin: \*/);
    assert.deepEqual(
      expired!.children.map((c) => [c.name, c.attrs.message]),
      [['skipped', 'no expired token']],
    );
  });

  it('formatReport routes --format junit here', () => {
    assert.equal(formatReport(report, 'junit'), xml);
  });
});
