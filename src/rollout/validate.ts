import { type ActuatorKind, tenantTargetingKinds } from "../actuator-types.js";
import { UserError } from "../errors.js";

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** A percentage is an integer 0–100 (Unleash itself accepts "150"; we never send it). */
export function checkPercent(value: unknown, field = "--percent"): number {
  const number = typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 0 || number > 100)
    throw new UserError(`${field}: expected an integer from 0 to 100, got ${JSON.stringify(value)}`);
  return number;
}

/** Tenant names as every system's targeting can hold them; a kind without targeting refuses them. */
export function checkTenants(values: readonly unknown[], kind: ActuatorKind, field = "--tenants"): string[] {
  if (values.length > 0 && !tenantTargetingKinds.includes(kind))
    throw new UserError(`${field}: a ${kind} actuator cannot target tenants (only ${tenantTargetingKinds.join(", ")} can); use a percentage stage`);
  for (const value of values) {
    if (typeof value !== "string" || !tenantPattern.test(value))
      throw new UserError(`${field}: expected tenant names (letters, digits, . _ : @ -), got ${JSON.stringify(value)}`);
  }
  return values as string[];
}

/** `a,b` → ["a", "b"]; an empty list is an error (rollback removes tenants). */
export function parseTenantList(text: string, kind: ActuatorKind): string[] {
  const values = text.split(",").map((t) => t.trim());
  if (values.length === 0 || values.some((t) => t === ""))
    throw new UserError(`--tenants: expected a comma-separated list like internal,beta, got ${JSON.stringify(text)}`);
  return checkTenants(values, kind);
}
