import { ExitCode, UserError } from "../errors.js";

/** An actuator that refused or failed: exit 3 (SPEC §7), the message naming what was found. */
export function refusal(message: string): UserError {
  return new UserError(message, ExitCode.runFailed);
}
