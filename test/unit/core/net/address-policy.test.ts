import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyAddress, classifyHostName } from '../../../../src/core/net/address-policy';

describe('classifyAddress', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.100.100.200', 'private'],
    ['fd00:ec2::254', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['0.0.0.0', 'reserved'],
    ['224.0.0.1', 'reserved'],
    // NAT64 well-known prefix (RFC 6052): the embedded IPv4 host decides.
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::5db8:d822', 'public'],
    ['64:ff9b::', 'reserved'],
    // Local-use NAT64 (RFC 8215): where the IPv4 part sits is the operator's choice.
    ['64:ff9b:1::a00:1', 'reserved'],
    ['64:ff9b:1:ffff:ffff::1', 'reserved'],
    // IPv4-mapped in every spelling: classified as the IPv4 host.
    ['::ffff:127.0.0.1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['[::FFFF:169.254.169.254]', 'link-local'],
    ['::ffff:5db8:d822', 'public'],
    // IPv4-compatible (deprecated) and IPv4-translated: reserved, whatever they embed.
    ['::a00:1', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['::93.184.216.34', 'reserved'],
    ['::', 'reserved'],
    ['::ffff:0:a00:1', 'reserved'],
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
    ['example.com', undefined],
  ];
  for (const [address, expected] of cases) {
    it(`${address} → ${expected ?? 'not an IP'}`, () => assert.equal(classifyAddress(address), expected));
  }
});

describe('classifyHostName', () => {
  it('treats localhost and *.localhost as loopback (RFC 6761 §6.3)', () => {
    assert.equal(classifyHostName('localhost'), 'loopback');
    assert.equal(classifyHostName('LAB.localhost.'), 'loopback');
  });
  it('treats names that exist only inside a network as private', () => {
    for (const h of ['metadata.google.internal', 'printer.local', 'intranet', 'router.lan']) {
      assert.equal(classifyHostName(h), 'private', h);
    }
  });
  it('leaves ordinary names public until resolved', () => {
    assert.equal(classifyHostName('login.microsoftonline.com'), 'public');
  });
});
