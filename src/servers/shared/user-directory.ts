import { LAB_USERS } from './lab-defaults';

/**
 * The small employee directory both MCP servers expose through `get_user_info`. Two records belong to the
 * lab's sign-in users (matched to tokens by `oid`, the Entra object id), the others are people who never
 * sign in — they exist so that "read someone else's record" has something worth stealing.
 */
export interface DirectoryRecord {
  id: string;
  /** Entra object id: the `oid` claim of this person's tokens. */
  oid: string;
  name: string;
  email: string;
  department: string;
  title: string;
  manager: string | null;
  phone: string;
  office: string;
}

function labUser(username: string) {
  const user = LAB_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`lab user '${username}' is missing from LAB_USERS`);
  return user;
}

const alice = labUser('alice');
const bob = labUser('bob');

export const USER_DIRECTORY: readonly DirectoryRecord[] = Object.freeze([
  {
    id: 'user_001',
    oid: alice.oid,
    name: alice.name,
    email: alice.email,
    department: 'Platform Security',
    title: 'Security Administrator',
    manager: null,
    phone: '+1-555-0101',
    office: 'Basecamp, Floor 3',
  },
  {
    id: 'user_002',
    oid: bob.oid,
    name: bob.name,
    email: bob.email,
    department: 'Engineering',
    title: 'Software Engineer',
    manager: 'user_001',
    phone: '+1-555-0102',
    office: 'Basecamp, Floor 2',
  },
  {
    id: 'user_003',
    oid: 'c4a01000-5e7a-4b1c-9d2e-00000000c4a0',
    name: 'Carol Cartographer',
    email: 'carol@sherpa-lab.test',
    department: 'Finance',
    title: 'Controller',
    manager: 'user_001',
    phone: '+1-555-0103',
    office: 'Summit Office',
  },
  {
    id: 'user_004',
    oid: 'd0a00000-5e7a-4b1c-9d2e-00000000d0a0',
    name: 'Dan Guide',
    email: 'dan@sherpa-lab.test',
    department: 'Human Resources',
    title: 'HR Partner',
    manager: 'user_003',
    phone: '+1-555-0104',
    office: 'Summit Office',
  },
]);

/** Looks a record up by its directory id (`user_001` …); undefined when there is none. */
export function findUserRecord(id: string): DirectoryRecord | undefined {
  return USER_DIRECTORY.find((r) => r.id === id);
}

/** The record of the person a token names (its `oid`), or undefined: how a caller learns their own id. */
export function findUserRecordByOid(oid: unknown): DirectoryRecord | undefined {
  return typeof oid === 'string' ? USER_DIRECTORY.find((r) => r.oid === oid) : undefined;
}
