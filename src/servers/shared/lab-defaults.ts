/**
 * The local lab's fixed identities and ports. The lab stands in for one Entra ID tenant with one API app
 * registration; these values play the part of the GUIDs a real tenant would hand out. They are not
 * secrets: the lab's signing keys and user passwords are what protect it, and it only listens on loopback.
 */
export const LAB_TENANT_ID = '6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13';
/** A second tenant, only used to show that the tenant allow-list rejects foreign `tid`s. */
export const LAB_FOREIGN_TENANT_ID = '0b9e7d35-5a6c-4e21-8f43-97c1d2e6a508';
/** Client id of the lab's API app registration: the `aud` of v2 access tokens for the secure server. */
export const LAB_API_CLIENT_ID = 'c0a8f3e2-71b4-4d69-a5e0-3f92b8d61c47';
export const LAB_API_APP_ID_URI = `api://${LAB_API_CLIENT_ID}`;
/** A second resource the lab can issue tokens for: used to show the confused-deputy problem. */
export const LAB_OTHER_API_CLIENT_ID = '9d2b6e14-c3a7-4f85-b0d1-6e48a2f9c735';
export const LAB_OTHER_API_APP_ID_URI = `api://${LAB_OTHER_API_CLIENT_ID}`;

export const LAB_HOST = '127.0.0.1';
/** `proxy` runs only in Entra mode (`sherpa lab --entra`): the lab proxy of lab-proxy.ts. */
export const LAB_DEFAULT_PORTS = {
  authorizationServer: 7480,
  vulnerable: 7481,
  secure: 7482,
  proxy: 7483,
} as const;

/** The vulnerable server's static token (workshop waypoint 1). Deliberately not a secret. */
export const LAB_STATIC_TOKEN = 'camp1_demo_token_INSECURE';

export interface LabUser {
  /** Login name on the lab's sign-in page. */
  username: string;
  /** Entra object id of the user: the `oid` claim and the `sub` the lab issues. */
  oid: string;
  name: string;
  email: string;
  roles: string[];
  /** Lab-only password, printed on the sign-in page: the lab protects nothing real. */
  password: string;
}

export const LAB_USERS: readonly LabUser[] = [
  {
    username: 'alice',
    oid: 'a11ce000-5e7a-4b1c-9d2e-0000000a11ce',
    name: 'Alice Admin',
    email: 'alice@sherpa-lab.test',
    roles: ['Sherpa.Admin'],
    password: 'alice-lab-password',
  },
  {
    username: 'bob',
    oid: 'b0b00000-5e7a-4b1c-9d2e-000000000b0b',
    name: 'Bob Builder',
    email: 'bob@sherpa-lab.test',
    roles: [],
    password: 'bob-lab-password',
  },
];

/** Issuer URL shaped like Entra ID v2: `{origin}/{tenant}/v2.0`. */
export function labIssuer(origin: string, tenantId = LAB_TENANT_ID): string {
  return `${origin.replace(/\/$/, '')}/${tenantId}/v2.0`;
}
