/** The actuator registry (SPEC §12): one module per kind, one line here. */

import type { ActuatorKind, ActuatorSpec } from "../actuator-types.js";
import type { Actuator, ActuatorContext, ActuatorFactory } from "./actuator.js";
import { createCommand } from "./kinds/command.js";
import { createFlagd } from "./kinds/flagd.js";
import { createLaunchdarkly } from "./kinds/launchdarkly.js";
import { createLitellm } from "./kinds/litellm.js";
import { createPortkey } from "./kinds/portkey.js";
import { createUnleash } from "./kinds/unleash.js";
import { createWebhook } from "./kinds/webhook.js";

export const actuators = {
  unleash: createUnleash,
  flagd: createFlagd,
  portkey: createPortkey,
  litellm: createLitellm,
  launchdarkly: createLaunchdarkly,
  webhook: createWebhook,
  command: createCommand,
} satisfies { [K in ActuatorKind]: ActuatorFactory<K> };

export function createActuator(spec: ActuatorSpec, context: ActuatorContext): Actuator {
  const factory = actuators[spec.kind] as ActuatorFactory<typeof spec.kind>;
  return factory(spec as never, context);
}

/** Which system a record is about: the kind and where, never a credential. */
export function actuatorIdentity(spec: ActuatorSpec): string {
  switch (spec.kind) {
    case "unleash":
    case "launchdarkly":
      return `${spec.kind} ${spec.url} ${spec.project}/${spec.flag}@${spec.environment}`;
    case "flagd":
      return `flagd ${spec.path}#${spec.flag}`;
    case "portkey":
      return `portkey ${spec.path}`;
    case "litellm":
      return `litellm ${spec.path}#${spec.model_name}`;
    case "webhook":
      return `webhook ${spec.url}`;
    case "command":
      return `command ${spec.command}`;
  }
}
