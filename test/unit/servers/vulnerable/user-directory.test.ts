import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAB_USERS } from '../../../../src/servers/shared/lab-defaults';
import { USER_DIRECTORY, findUserRecord } from '../../../../src/servers/shared/user-directory';

describe('user directory', () => {
  it('links the lab users by oid and has unique ids', () => {
    for (const user of LAB_USERS)
      assert.ok(
        USER_DIRECTORY.some((r) => r.oid === user.oid && r.email === user.email),
        user.username,
      );
    assert.equal(new Set(USER_DIRECTORY.map((r) => r.id)).size, USER_DIRECTORY.length);
    assert.equal(findUserRecord('user_001')?.oid, LAB_USERS[0]!.oid);
    assert.equal(findUserRecord('user_999'), undefined);
  });
});
