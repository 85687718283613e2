/**
 * Signs in to the lab's authorization server the way a person with a browser would, but from a program.
 * The tests use the same code as the CLI's non-interactive login (src/lab/lab-login.ts), so what the
 * tests prove about the sign-in is what `sherpa token --user …` does. Loopback only, on every hop.
 */
export {
  approveLabDeviceCode as approveDeviceCode,
  driveLabLogin as driveLogin,
  type LabCredentials,
} from '../../src/lab/lab-login';
